import { RestoreError } from '../errors';
import type { KubeClient } from './client';
import { execInPod } from './exec';

export interface FreeSpace {
  filesystem: string;
  mountPoint: string;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
}

/**
 * Parses `df -P -k` output (POSIX format: a header, then one line per file system with 1024-byte blocks:
 * `Filesystem 1024-blocks Used Available Capacity Mounted-on`). Returns the last file system line.
 */
export function parseDfOutput(text: string): FreeSpace {
  const lines = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.length > 0);
  const header = lines[0] ?? '';
  if (!/^Filesystem\s+(1024|1k)-blocks\s+Used\s+Avail(able)?\s+Capacity\s+Mounted on$/i.test(header)) {
    throw new RestoreError(`Unexpected df output header: ${JSON.stringify(header.slice(0, 200))}`, {
      hint: 'The container needs a POSIX df (coreutils or busybox)',
    });
  }
  const line = lines[lines.length - 1];
  const match = lines.length >= 2 && line ? line.match(/^(.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/) : null;
  if (!match) {
    throw new RestoreError(`Cannot read free space from df output: ${JSON.stringify(text.slice(0, 300))}`, {
      hint: 'The container needs a POSIX df (coreutils or busybox)',
    });
  }
  const kib = (s: string) => Number(s) * 1024;
  return {
    filesystem: match[1]!,
    totalBytes: kib(match[2]!),
    usedBytes: kib(match[3]!),
    availableBytes: kib(match[4]!),
    mountPoint: match[6]!,
  };
}

/** Free space of the file system holding `dir` inside a container, via `df -Pk <dir>`. */
export async function volumeFreeSpace(client: KubeClient, pod: string, container: string, dir: string): Promise<FreeSpace> {
  if (!dir.startsWith('/')) throw new TypeError(`volumeFreeSpace needs an absolute path, got ${JSON.stringify(dir)}`);
  const { stdout } = await execInPod(client, pod, container, ['df', '-Pk', dir], { timeoutMs: 60_000 });
  return parseDfOutput(stdout);
}
