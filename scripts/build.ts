/**
 * Bundles the charm into ES modules under build/dist/: charm.mjs, the entry, and chunks that the actions
 * load on demand, so a hook parses only what hooks use (start-up is what every hook pays). Dependencies
 * are bundled too (the .charm has no node_modules); the banner gives CommonJS dependencies the
 * `require` an ES module lacks.
 */
import { build, type BuildOptions } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE_DIR = `${ROOT}build/dist`;

/** How the charm's code is bundled; the benchmarks bundle their runners the same way, to measure what ships. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // The packages' ES module builds first: esbuild can then drop what is never imported (most of the
  // AWS SDK's commands and schemas), which a CommonJS build keeps; loading the SDK took ~20 % less time.
  mainFields: ['module', 'main'],
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'none',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __ckfCreateRequire } from 'node:module'; const require = __ckfCreateRequire(import.meta.url);" },
} satisfies BuildOptions;

export async function buildCharmBundle(): Promise<void> {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  await build({
    ...BUNDLE_OPTIONS,
    // The content worker is an entry of its own: MLMD builds start it as a worker thread (contentThreads.ts).
    entryPoints: { charm: `${ROOT}src/charm.ts`, contentWorker: `${ROOT}src/mlmd/content/contentWorker.ts` },
    outdir: BUNDLE_DIR,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void buildCharmBundle();
