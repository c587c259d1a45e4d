/*
 * Reading a dump for the build: gunzip, decode, split into statements, read each statement's content
 * (dumpContent.ts) and hand the statements, REALs rewritten, on in batches. The same function runs in a
 * worker thread (contentWorker.ts) while SQLite executes on the main thread, or inline when there is no
 * worker.
 */
import { openBackupText } from '../backupInput';
import { splitDump, type RunnableStatement } from '../sqlDumpExecutor';
import { DumpContentReader, type DumpContent } from './dumpContent';

/** About this much SQL per batch handed on (the executor runs ~256 KiB per exec()). */
const BATCH_CHARS = 256 * 1024;

export async function readDump(path: string, gzipped: boolean, emit: (batch: RunnableStatement[]) => void | Promise<void>): Promise<DumpContent> {
  const reader = new DumpContentReader();
  let batch: RunnableStatement[] = [];
  let chars = 0;
  for await (const statements of splitDump(openBackupText(path, gzipped))) {
    for (const statement of statements) {
      const sql = reader.statement(statement);
      batch.push(sql === statement.sql ? statement : { ...statement, sql, text: statement.sql });
      chars += sql.length;
      if (chars >= BATCH_CHARS) {
        await emit(batch);
        batch = [];
        chars = 0;
      }
    }
  }
  if (batch.length > 0) await emit(batch);
  return reader;
}
