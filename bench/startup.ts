/**
 * How long from `dispatch` start to the handler: runs the packed charm's dispatch for update-status and
 * for an action N times with the fake hook tools, and reports what the charm logs (Node start + bundle
 * load, from performance.now()) next to the wall time of a bare `node -e 0`.
 * Usage: npm run pack && node bench/startup.ts [runs]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packCharm } from '../scripts/pack.ts';
import { installFakeHookTools } from '../tests/fakes/hookTools/install.ts';
import { readState } from '../tests/fakes/hookTools/state.ts';
import { unpackCharm } from '../tests/helpers/unpackCharm.ts';

const runs = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
const charmDir = join(dir, 'charm');
await unpackCharm(await packCharm(), charmDir);
const { binDir, statePath } = installFakeHookTools(dir, { action: { name: 'list-backups', params: {} } });

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function dispatch(path: string): number {
  const started = performance.now();
  execFileSync(join(charmDir, 'dispatch'), [], {
    env: { PATH: `${binDir}:/usr/bin:/bin`, JUJU_CHARM_DIR: charmDir, JUJU_DISPATCH_PATH: path, JUJU_UNIT_NAME: 'ckf-restore/0', JUJU_MODEL_NAME: 'kubeflow', FAKE_JUJU_STATE: statePath, JUJU_ACTION_NAME: path.split('/')[1] ?? '' },
    stdio: 'ignore',
  });
  return performance.now() - started;
}

const nodeBare: number[] = [];
for (let i = 0; i < runs; i++) {
  const started = performance.now();
  execFileSync(join(charmDir, 'bin/node'), ['-e', '0']);
  nodeBare.push(performance.now() - started);
}
const rows: string[] = [];
for (const path of ['hooks/update-status', 'actions/list-backups']) {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) walls.push(dispatch(path));
  const handler = readState(statePath)
    .jujuLogs.filter((log) => log.message.includes(`${path.split('/')[1]}: handler start`))
    .map((log) => Number(/after (\d+) ms/.exec(log.message)?.[1]));
  rows.push(`| ${path} | ${median(handler).toFixed(0)} ms | ${median(walls).toFixed(0)} ms |`);
}
console.log(`dispatch → handler start, median of ${runs} runs (bare node -e 0: ${median(nodeBare).toFixed(0)} ms)`);
console.log('| dispatch path | dispatch → handler | whole run (incl. fake hook tools) |');
console.log('|---|---|---|');
for (const row of rows) console.log(row);
rmSync(dir, { recursive: true, force: true });
