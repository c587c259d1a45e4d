import { openBackupText } from './backupInput';
import { SqlStatementSplitter, type SqlStatement } from './sqlSplitter';

/** The complete statements of an SQL dump file, streamed (what the content check reads a second time). */
export async function* dumpStatements(path: string, gzipped: boolean): AsyncGenerator<SqlStatement> {
  const splitter = new SqlStatementSplitter();
  for await (const chunk of openBackupText(path, gzipped)) yield* splitter.push(chunk);
}
