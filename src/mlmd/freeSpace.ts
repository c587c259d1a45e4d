import { statfs } from 'node:fs/promises';
import { InsufficientSpaceError } from './errors';

/** Bytes an unprivileged process may still write in the file system holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const stats = await statfs(dir);
  return stats.bavail * stats.bsize; // bavail, not bfree: root's reserved blocks are not ours
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Throws InsufficientSpaceError unless `dir` has at least `neededBytes` free; says what needs them. */
export async function ensureFreeSpace(dir: string, neededBytes: number, purpose: string): Promise<void> {
  const available = await freeBytes(dir);
  if (available >= neededBytes) return;
  throw new InsufficientSpaceError(
    `${purpose} needs ${mib(neededBytes)} in ${dir}, but only ${mib(available)} is free`,
    { hint: `Free ${mib(neededBytes - available)} or more in ${dir} (or give the charm's storage more room) and run the action again` },
  );
}
