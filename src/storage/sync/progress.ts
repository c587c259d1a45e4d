/** Periodic progress lines (`copy: 1200/5000 objects, 310/900 MiB, 41.2 MiB/s, eta 14s`) and one at each phase end. */
import { MiB } from './report';

export class ProgressReporter {
  private phase = '';
  private totalObjects = 0;
  private totalBytes = 0;
  private phaseStartedMs = 0;
  private timer: NodeJS.Timeout | undefined;
  doneObjects = 0;
  /** Bytes moved in this phase, including objects still in flight (taken back when an attempt fails). */
  doneBytes = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs: number,
  ) {}

  start(phase: string, totalObjects: number, totalBytes: number): void {
    this.stopTimer();
    this.phase = phase;
    this.totalObjects = totalObjects;
    this.totalBytes = totalBytes;
    this.doneObjects = 0;
    this.doneBytes = 0;
    this.phaseStartedMs = performance.now();
    this.timer = setInterval(() => this.log(this.line()), this.intervalMs);
    this.timer.unref();
  }

  /** Ends the phase with a final line (`extra` appended, e.g. failures). */
  finish(extra = ''): void {
    if (!this.phase) return;
    this.stopTimer();
    this.log(`${this.line()}, done in ${formatSeconds((performance.now() - this.phaseStartedMs) / 1000)}${extra}`);
    this.phase = '';
  }

  stop(): void {
    this.stopTimer();
    this.phase = '';
  }

  line(): string {
    const elapsed = (performance.now() - this.phaseStartedMs) / 1000;
    const rate = elapsed > 0 ? this.doneBytes / MiB / elapsed : 0;
    let eta = '';
    if (this.doneBytes > 0 && this.doneBytes < this.totalBytes) eta = `, eta ${formatSeconds((this.totalBytes - this.doneBytes) / (this.doneBytes / elapsed))}`;
    else if (this.totalBytes === 0 && this.doneObjects > 0 && this.doneObjects < this.totalObjects) eta = `, eta ${formatSeconds(((this.totalObjects - this.doneObjects) * elapsed) / this.doneObjects)}`;
    return `${this.phase}: ${this.doneObjects}/${this.totalObjects} objects, ${formatMiB(this.doneBytes)}/${formatMiB(this.totalBytes)} MiB, ${rate.toFixed(1)} MiB/s${eta}`;
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function formatMiB(bytes: number): string {
  const mib = bytes / MiB;
  return mib >= 10 || mib === 0 ? String(Math.round(mib)) : mib.toFixed(1);
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.ceil(seconds - minutes * 60)).padStart(2, '0')}s`;
}
