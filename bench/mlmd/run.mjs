// `npm run bench:mlmd`: bundles the TypeScript benchmark with esbuild (already a dev dependency) and runs
// it with this Node. The bundle lives under node_modules/.cache so that its imports resolve.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const outdir = join(root, 'node_modules', '.cache', 'bench-mlmd');
await build({
  entryPoints: {
    bench: join(here, 'bench.ts'),
    buildChild: join(here, 'buildChild.ts'),
    // found next to buildChild.mjs, as in the charm (src/mlmd/content/contentThreads.ts)
    contentWorker: join(root, 'src', 'mlmd', 'content', 'contentWorker.ts'),
  },
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  packages: 'external',
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, ['--no-warnings', join(outdir, 'bench.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(run.status ?? 1);
