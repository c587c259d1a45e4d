import { RestoreError } from '../../src/errors';
import { PhaseFailedError, runPhases } from '../../src/restore/phases';

const phase = (name: string, calls: string[], fail = false) => ({
  name,
  run: async (log: (line: string) => void) => {
    calls.push(name);
    log('working');
    if (fail) throw new RestoreError(`${name} broke`, { hint: 'fix it' });
  },
});

test('runs phases in order, then cleanups, logging each with its position', async () => {
  const calls: string[] = [];
  const lines: string[] = [];
  const report = await runPhases([phase('fetch', calls), phase('swap', calls)], [phase('resume', calls)], (line) => lines.push(line));
  expect(calls).toEqual(['fetch', 'swap', 'resume']);
  expect(Object.fromEntries(Object.entries(report).map(([name, record]) => [name, record.status]))).toEqual({ fetch: 'done', swap: 'done', resume: 'done' });
  expect(lines[0]).toBe('[1/3] fetch: working');
  expect(lines).toContainEqual(expect.stringMatching(/^\[3\/3\] resume: done in [\d.]+ s$/));
});

test('a failure skips the remaining phases but every cleanup still runs; the first failure is reported', async () => {
  const calls: string[] = [];
  const error = await runPhases([phase('fetch', calls), phase('swap', calls, true), phase('restart', calls)], [phase('resume', calls, true), phase('tidy', calls)], () => undefined).catch((caught: unknown) => caught);
  expect(calls).toEqual(['fetch', 'swap', 'resume', 'tidy']);
  expect(error).toBeInstanceOf(PhaseFailedError);
  const failed = error as PhaseFailedError;
  expect(failed.message).toBe('swap failed: swap broke. fix it');
  expect(failed.report.restart).toEqual({ status: 'skipped', seconds: 0 });
  expect(failed.report.resume).toMatchObject({ status: 'failed', error: 'resume broke. fix it' });
  expect(failed.report.tidy?.status).toBe('done');
});

test('a failing cleanup alone fails the run', async () => {
  const calls: string[] = [];
  await expect(runPhases([phase('fetch', calls)], [phase('resume', calls, true)], () => undefined)).rejects.toThrow('resume failed: resume broke');
});

test('a phase with nothing to do reports skipped', async () => {
  const lines: string[] = [];
  const report = await runPhases([{ name: 'swap', run: async () => 'skipped' as const }], [], (line) => lines.push(line));
  expect(report.swap?.status).toBe('skipped');
  expect(lines).toEqual(['[1/1] swap: skipped']);
});
