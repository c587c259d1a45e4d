/**
 * The commands run inside the MLMD container. Every one is an argv array; the two that need a shell run
 * a fixed script with the paths as positional arguments, so no input ever becomes shell text. Only
 * tools every Ubuntu base image has: sh, cat, head, mv, rm, stat, df, sha256sum.
 */
import type { Readable, Writable } from 'node:stream';
import type { Kube } from '../../kube/kube';
import type { PodContainer } from '../../kube/pods';
import { RestoreError } from '../../errors';

/** SQLite's side files that belong to the database and must move with it. */
export const SIDE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/**
 * Reads exactly $1 bytes from stdin into $2. `head -c` ends by itself after the last byte, so the copy
 * also works where the API server cannot close stdin (exec protocol v4, Kubernetes before 1.30); a short
 * stream leaves a short file, which the sha256 check catches.
 */
const WRITE_STDIN = 'head -c "$1" > "$2"';

/**
 * Moves the live database and its side files to `<db>.pre-restore*`, then the new file into place. Each
 * `mv` is a rename within one directory: atomic. A database missing (fresh MLMD) is not an error.
 */
const SWAP = [
  'set -e',
  'db="$1"',
  'for s in "" -wal -shm -journal; do rm -f "$db.pre-restore$s"; done',
  'for s in -wal -shm -journal; do if [ -e "$db$s" ]; then mv -f "$db$s" "$db.pre-restore$s"; fi; done',
  'if [ -e "$db" ]; then mv -f "$db" "$db.pre-restore"; fi',
  'mv -f "$db.restoring" "$db"',
].join('\n');

/** Puts the `.pre-restore` files back; the restored file is kept aside as `<db>.failed-restore`. */
const ROLL_BACK = [
  'set -e',
  'db="$1"',
  '[ -e "$db.pre-restore" ] || { echo "no $db.pre-restore to roll back to" >&2; exit 3; }',
  'for s in "" -wal -shm -journal; do if [ -e "$db$s" ]; then mv -f "$db$s" "$db.failed-restore$s"; fi; done',
  'for s in "" -wal -shm -journal; do if [ -e "$db.pre-restore$s" ]; then mv -f "$db.pre-restore$s" "$db$s"; fi; done',
].join('\n');

export class HashMismatchError extends RestoreError {}

export class MlmdContainer {
  constructor(
    private readonly kube: Kube,
    readonly target: PodContainer,
    private readonly execTimeoutMs: number,
  ) {}

  private exec(command: string[], options: { stdin?: Readable; stdout?: Writable; allowNonZeroExit?: boolean; stdinEndsCommand?: boolean } = {}) {
    return this.kube.exec(this.target.pod, this.target.container, command, { timeoutMs: this.execTimeoutMs, ...options });
  }

  /** SHA-256 of a file, or undefined when it does not exist. */
  async sha256(path: string): Promise<string | undefined> {
    const result = await this.exec(['sha256sum', path], { allowNonZeroExit: true });
    if (result.exitCode !== 0) {
      if (/No such file/i.test(result.stderr)) return undefined;
      throw new RestoreError(`sha256sum ${path} failed in ${this.target.pod}/${this.target.container}: ${result.stderr}`);
    }
    const hash = /^([0-9a-f]{64})\s/.exec(result.stdout)?.[1];
    if (!hash) throw new RestoreError(`unexpected sha256sum output in ${this.target.pod}: ${JSON.stringify(result.stdout.slice(0, 100))}`);
    return hash;
  }

  /** Size in bytes, or undefined when the file does not exist. */
  async size(path: string): Promise<number | undefined> {
    const result = await this.exec(['stat', '-c', '%s', path], { allowNonZeroExit: true });
    if (result.exitCode !== 0) {
      if (/No such file/i.test(result.stderr)) return undefined;
      throw new RestoreError(`cannot stat ${path} in ${this.target.pod}/${this.target.container}: ${result.stderr}`);
    }
    return Number(result.stdout.trim());
  }

  readFile(path: string, into: Writable): Promise<unknown> {
    return this.exec(['cat', path], { stdout: into });
  }

  writeFile(path: string, from: Readable, bytes: number): Promise<unknown> {
    return this.exec(['sh', '-c', WRITE_STDIN, 'sh', String(bytes), path], { stdin: from, stdinEndsCommand: true });
  }

  async remove(path: string): Promise<void> {
    await this.exec(['rm', '-f', path]);
  }

  async swapIn(dbPath: string): Promise<void> {
    await this.exec(['sh', '-c', SWAP, 'sh', dbPath]);
  }

  async rollBack(dbPath: string): Promise<void> {
    await this.exec(['sh', '-c', ROLL_BACK, 'sh', dbPath]);
  }
}
