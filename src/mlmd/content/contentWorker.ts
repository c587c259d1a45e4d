/*
 * Worker-thread entry (bundled as dist/contentWorker.mjs): runs one content job for the main thread, so
 * the build uses both cores — reading the dump while SQLite executes it, or digesting half of the built
 * database while the main thread digests the other half and runs the integrity check.
 * Protocol (contentThreads.ts is the other side):
 *   dump:   → {type:'batch', batch} (each waits for a {type:'credit'} once the first few are out),
 *           → {type:'done', content: DumpContentWire}
 *   digest: → {type:'done', digests: [name, rows, sum][]}
 *   both:   → {type:'error', error: WireError}
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DatabaseSync } from 'node:sqlite';
import { toWire } from './dumpContent';
import { readDump } from './dumpJob';
import { digestParts, type TablePart } from './databaseContent';
import { toWireError } from './wireError';

export type ContentJob =
  | { kind: 'dump'; path: string; gzipped: boolean; credits: number }
  | { kind: 'digest'; database: string; parts: TablePart[] };

async function run(port: NonNullable<typeof parentPort>, job: ContentJob): Promise<void> {
  if (job.kind === 'dump') {
    let credits = job.credits;
    let wake: (() => void) | undefined;
    port.on('message', (message: { type: string }) => {
      if (message.type !== 'credit') return;
      credits++;
      wake?.();
    });
    const content = await readDump(job.path, job.gzipped, async (batch) => {
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      port.postMessage({ type: 'batch', batch });
    });
    port.postMessage({ type: 'done', content: toWire(content) });
    return;
  }
  const db = new DatabaseSync(job.database, { readOnly: true });
  try {
    const digests = digestParts(db, job.parts);
    port.postMessage({ type: 'done', digests: [...digests].map(([name, d]) => [name, d.rows, d.sum()]) });
  } finally {
    db.close();
  }
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ContentJob).then(
    () => port.close(),
    (error: unknown) => {
      port.postMessage({ type: 'error', error: toWireError(error) });
      port.close();
    },
  );
}
