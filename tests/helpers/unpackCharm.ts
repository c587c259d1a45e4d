/**
 * Unzips a .charm the way Juju does: the zip's file modes are applied and nothing else, so a dispatch
 * without its exec bit in the zip fails here as it would in a model. (No execa here: jest's globalSetup
 * loads this file without the project's resolver.)
 */
import { chmodSync, createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

/** Where tests/support/globalSetup.ts unpacks the packed charm for the e2e tests. */
export const E2E_CHARM_DIR = join(import.meta.dirname, '../../build/e2e/charm');

export async function unpackCharm(charmFile: string, targetDir: string): Promise<void> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(charmFile, { lazyEntries: true }, (error, file) => (error || !file ? reject(error) : resolve(file))),
  );
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      const target = join(targetDir, entry.fileName);
      if (entry.fileName.endsWith('/')) {
        mkdirSync(target, { recursive: true });
        zip.readEntry();
        return;
      }
      mkdirSync(dirname(target), { recursive: true });
      zip.openReadStream(entry, (error, stream) => {
        if (error || !stream) return reject(error);
        pipeline(stream, createWriteStream(target))
          .then(() => {
            chmodSync(target, (entry.externalFileAttributes >>> 16) & 0o777);
            zip.readEntry();
          })
          .catch(reject);
      });
    });
    zip.readEntry();
  });
}

