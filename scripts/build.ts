/**
 * Bundles the charm into one ES module, build/charm.mjs. Dependencies are bundled too (the .charm has no
 * node_modules); the banner gives CommonJS dependencies the `require` an ES module lacks.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE = `${ROOT}build/charm.mjs`;

export async function buildCharmBundle(): Promise<void> {
  await build({
    entryPoints: [`${ROOT}src/charm.ts`],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __ckfCreateRequire } from 'node:module'; const require = __ckfCreateRequire(import.meta.url);" },
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void buildCharmBundle();
