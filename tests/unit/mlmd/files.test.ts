import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFreeSpace, freeBytes } from '../../../src/mlmd/freeSpace';
import { InsufficientSpaceError } from '../../../src/mlmd/errors';
import { sha256File } from '../../../src/mlmd/sha256File';

const dir = mkdtempSync(join(tmpdir(), 'mlmd-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('sha256File hashes the whole file', async () => {
  const path = join(dir, 'abc');
  writeFileSync(path, 'abc');
  expect(await sha256File(path)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const big = join(dir, 'big');
  writeFileSync(big, Buffer.alloc(3 * 1024 * 1024 + 7, 1));
  expect(await sha256File(big)).toMatch(/^[0-9a-f]{64}$/);
  expect(await sha256File(big)).not.toBe(await sha256File(path));
});

test('free space: enough passes, too much is a clear error', async () => {
  const free = await freeBytes(dir);
  expect(free).toBeGreaterThan(0);
  await expect(ensureFreeSpace(dir, 1, 'Test')).resolves.toBeUndefined();
  const error = await ensureFreeSpace(dir, free * 4 + 1e15, 'Building the MLMD database').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InsufficientSpaceError);
  expect((error as InsufficientSpaceError).message).toMatch(/Building the MLMD database needs .* MiB in .*, but only .* MiB is free/);
  expect((error as InsufficientSpaceError).hint).toContain(dir);
});
