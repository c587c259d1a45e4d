import type { FakeBackup, FakeMysqlAppSpec } from './types';

export interface SimStatus {
  status: string;
  info: string;
}

export interface SimUnit {
  ordinal: number;
  workload: SimStatus;
  agent: SimStatus;
}

export const MOVE_RESTORED_CLUSTER = 'Move restored cluster to another S3 repository';

/**
 * The state of one mysql-k8s application as Juju would report it, with scaling that settles over time
 * the way a Kubernetes StatefulSet does: the highest ordinals go first, new units start in maintenance
 * and become active/idle a moment later. Time is driven by `schedule`, so the owner can cancel it all.
 */
export class SimulatedMysqlApp {
  readonly name: string;
  s3Integrator: string | null;
  backups: FakeBackup[];
  readonly units = new Map<number, SimUnit>();
  leader: number | null = null;
  /** What Juju calls the planned units: the last scale asked for. */
  targetScale: number;
  /** Set after a successful restore, until the s3-integrator points elsewhere (never, in the fake). */
  restoredBlocked = false;
  private nextOrdinal = 0;
  private generation = 0;

  constructor(
    spec: FakeMysqlAppSpec,
    private readonly schedule: (ms: number, fn: () => void) => void,
    private readonly settleMs: () => number,
    private readonly neverSettles: () => boolean,
  ) {
    this.name = spec.name;
    this.s3Integrator = spec.s3Integrator;
    this.backups = spec.backups.map((b) => ({ ...b }));
    this.targetScale = spec.units;
    for (let i = 0; i < spec.units; i++) this.addUnit(true);
    this.leader = this.units.size > 0 ? 0 : null;
  }

  unitName(ordinal: number): string {
    return `${this.name}/${ordinal}`;
  }

  /** Accepts a new scale at once (as Juju does) and makes it happen after the settle delay. */
  scale(target: number): void {
    this.targetScale = target;
    const generation = ++this.generation;
    if (this.neverSettles()) return;
    this.schedule(this.settleMs(), () => {
      if (generation !== this.generation) return;
      const ordinals = [...this.units.keys()].sort((a, b) => b - a);
      for (const ordinal of ordinals) {
        if (this.units.size <= target) break;
        this.units.delete(ordinal);
      }
      while (this.units.size < target) this.addUnit(false);
      if (this.leader === null || !this.units.has(this.leader)) {
        const remaining = [...this.units.keys()].sort((a, b) => a - b);
        this.leader = remaining[0] ?? null;
      }
      this.schedule(this.settleMs(), () => {
        if (generation !== this.generation) return;
        for (const unit of this.units.values()) {
          if (unit.workload.status === 'maintenance') unit.workload = { status: 'active', info: '' };
          unit.agent = { status: 'idle', info: '' };
        }
      });
    });
  }

  /** The workload status a restore leaves on the restored (leader) unit. */
  markRestored(ordinal: number): void {
    this.restoredBlocked = true;
    const unit = this.units.get(ordinal);
    if (unit) unit.workload = { status: 'blocked', info: MOVE_RESTORED_CLUSTER };
  }

  /** Juju's application status: the most severe of its units' workload statuses. */
  applicationStatus(): SimStatus {
    const order = ['error', 'blocked', 'maintenance', 'waiting', 'active', 'unknown'];
    let worst: SimStatus = { status: this.units.size === 0 ? 'unknown' : 'active', info: '' };
    for (const unit of this.units.values()) {
      if (order.indexOf(unit.workload.status) < order.indexOf(worst.status)) worst = unit.workload;
    }
    return worst;
  }

  private addUnit(settled: boolean): void {
    const ordinal = this.nextOrdinal++;
    this.units.set(ordinal, {
      ordinal,
      workload: settled ? { status: 'active', info: '' } : { status: 'maintenance', info: 'installing' },
      agent: settled ? { status: 'idle', info: '' } : { status: 'executing', info: 'running install hook' },
    });
  }
}
