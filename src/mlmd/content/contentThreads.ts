/*
 * The main thread's side of the content jobs: run them in a worker thread when the bundled worker script
 * is there (the packed charm, the benchmark), else inline in this thread (tests run the sources). Both
 * give the same answers; only the wall time differs (the build's dump reading and SQLite's execution
 * overlap on two cores).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DatabaseSync } from 'node:sqlite';
import type { RunnableStatement } from '../sqlDumpExecutor';
import type { ContentJob } from './contentWorker';
import { describeDatabase, digestParts, splitParts, assembleContent, type DatabaseContent } from './databaseContent';
import { fromWire, type DumpContent, type DumpContentWire } from './dumpContent';
import { readDump } from './dumpJob';
import { TableDigest } from './rowDigest';
import { fromWireError, type WireError } from './wireError';

/** Batches the reader may send ahead of the executor: bounds memory to a few MiB of SQL. */
const CREDITS = 4;

/**
 * The bundled worker script: next to this module when it is bundled into one file (the benchmark), or
 * one level up when it sits in a chunk (dist/chunks/ of the packed charm). Undefined when running the
 * TypeScript sources.
 */
export function locateContentWorker(): URL | undefined {
  for (const relative of ['./contentWorker.mjs', '../contentWorker.mjs']) {
    const url = new URL(relative, import.meta.url);
    if (url.protocol === 'file:' && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

export interface DumpReading {
  /** The dump's statements, REALs rewritten; iterate once, to the end. */
  batches: AsyncIterable<RunnableStatement[]>;
  /** The dump's content; available once `batches` is exhausted. */
  content(): DumpContent;
  threads: 1 | 2;
  /** Stops the reader early (after a failure on the executing side). */
  stop(): Promise<void>;
}

export function readDumpFor(path: string, gzipped: boolean, worker: URL | undefined): DumpReading {
  return worker ? readDumpInWorker(path, gzipped, worker) : readDumpInline(path, gzipped);
}

function readDumpInline(path: string, gzipped: boolean): DumpReading {
  let content: DumpContent | undefined;
  async function* batches(): AsyncGenerator<RunnableStatement[]> {
    const pending: RunnableStatement[][] = [];
    // readDump pushes; this generator hands each batch on as soon as it is complete.
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    let resume: (() => void) | undefined;
    const reading = readDump(path, gzipped, async (batch) => {
      pending.push(batch);
      wake?.();
      await new Promise<void>((resolve) => (resume = resolve));
    }).then(
      (result) => {
        content = result;
        done = true;
        wake?.();
      },
      (error: unknown) => {
        failure = error;
        done = true;
        wake?.();
      },
    );
    try {
      for (;;) {
        if (pending.length > 0) {
          yield pending.shift()!;
          const next = resume;
          resume = undefined;
          next?.();
          continue;
        }
        if (done) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      await reading;
      if (failure !== undefined) throw failure;
    } finally {
      resume?.();
    }
  }
  return {
    batches: batches(),
    content: () => {
      if (!content) throw new Error('bug: dump content read before the dump was');
      return content;
    },
    threads: 1,
    stop: async () => undefined,
  };
}

function readDumpInWorker(path: string, gzipped: boolean, script: URL): DumpReading {
  const job: ContentJob = { kind: 'dump', path, gzipped, credits: CREDITS };
  const worker = new Worker(script, { workerData: job });
  let content: DumpContent | undefined;
  const queue: RunnableStatement[][] = [];
  let finished = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const next = wake;
    wake = undefined;
    next?.();
  };
  worker.on('message', (message: { type: 'batch'; batch: RunnableStatement[] } | { type: 'done'; content: DumpContentWire } | { type: 'error'; error: WireError }) => {
    if (message.type === 'batch') queue.push(message.batch);
    else if (message.type === 'done') {
      content = fromWire(message.content);
      finished = true;
    } else {
      failure = fromWireError(message.error);
      finished = true;
    }
    notify();
  });
  worker.on('error', (error) => {
    failure ??= error;
    finished = true;
    notify();
  });
  worker.on('exit', (code) => {
    if (!finished) failure ??= new Error(`the dump reader thread stopped (exit code ${code})`);
    finished = true;
    notify();
  });
  async function* batches(): AsyncGenerator<RunnableStatement[]> {
    for (;;) {
      if (queue.length > 0) {
        const batch = queue.shift()!;
        worker.postMessage({ type: 'credit' });
        yield batch;
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure !== undefined) throw failure;
  }
  return {
    batches: batches(),
    content: () => {
      if (!content) throw new Error('bug: dump content read before the dump was');
      return content;
    },
    threads: 2,
    stop: async () => {
      await worker.terminate();
    },
  };
}

/**
 * Every table's digest of the database at `path`: with a worker, it reads about half of the rows while
 * this thread runs `alongside` (the integrity check) and reads the other half.
 */
export async function digestDatabase(db: DatabaseSync, path: string, worker: URL | undefined, alongside: () => void): Promise<{ content: DatabaseContent; threads: 1 | 2 }> {
  const { schema, tables } = describeDatabase(db);
  if (!worker) {
    alongside();
    return { content: assembleContent(schema, tables, [digestParts(db, tables.map((layout) => ({ layout })))]), threads: 1 };
  }
  // The worker takes a larger share: this thread also runs the integrity check.
  const [theirs, ours] = splitParts(db, tables, 0.6);
  const job: ContentJob = { kind: 'digest', database: path, parts: theirs };
  const thread = new Worker(worker, { workerData: job });
  const answer = new Promise<Map<string, TableDigest>>((resolve, reject) => {
    thread.on('message', (message: { type: 'done'; digests: [string, number, Uint8Array][] } | { type: 'error'; error: WireError }) => {
      if (message.type === 'done') resolve(new Map(message.digests.map(([name, rows, sum]) => [name, TableDigest.from(rows, Buffer.from(sum))])));
      else reject(fromWireError(message.error));
    });
    thread.on('error', reject);
    thread.on('exit', (code) => reject(new Error(`the database reader thread stopped (exit code ${code})`)));
  });
  // Awaited below; this keeps a failure that comes while `alongside` throws from going unhandled.
  answer.catch(() => undefined);
  try {
    alongside();
    const mine = digestParts(db, ours);
    return { content: assembleContent(schema, tables, [mine, await answer]), threads: 2 };
  } finally {
    await thread.terminate();
  }
}
