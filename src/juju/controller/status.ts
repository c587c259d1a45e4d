import type { ApplicationInfo, StatusValue, UnitInfo } from './types';

/** The parts of Juju's FullStatus (Client facade v6–v8) that we read. */
export interface RawDetailedStatus {
  status?: string;
  info?: string;
}
export interface RawUnitStatus {
  leader?: boolean;
  'workload-status'?: RawDetailedStatus;
  'agent-status'?: RawDetailedStatus;
}
export interface RawApplicationStatus {
  status?: RawDetailedStatus;
  units?: Record<string, RawUnitStatus> | null;
  relations?: Record<string, string[]> | null;
}
export interface RawFullStatus {
  applications?: Record<string, RawApplicationStatus> | null;
}

function statusValue(raw: RawDetailedStatus | undefined): StatusValue {
  return { status: raw?.status ?? 'unknown', info: raw?.info ?? '' };
}

function unitNumber(name: string): number {
  return Number(name.slice(name.lastIndexOf('/') + 1));
}

/** Our view of one application in a FullStatus answer. */
export function toApplicationInfo(name: string, raw: RawApplicationStatus): ApplicationInfo {
  const units: UnitInfo[] = Object.entries(raw.units ?? {})
    .map(([unitName, unit]) => ({
      name: unitName,
      leader: unit.leader === true,
      workload: statusValue(unit['workload-status']),
      agent: statusValue(unit['agent-status']),
    }))
    .sort((a, b) => unitNumber(a.name) - unitNumber(b.name));
  return { name, status: statusValue(raw.status), units, relations: { ...(raw.relations ?? {}) } };
}
