/*
 * MLMD-shaped databases and backups made the way the runbook makes them, for tests and the benchmark.
 * The schema is MLMD 1.14.0's (schema version 10), as in google/ml-metadata's
 * metadata_source_query_config.cc; the backups come from Debian's sqlite3 CLI.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DatabaseSync } from 'node:sqlite';
import { execa } from 'execa';

export const SQLITE3 = '/usr/bin/sqlite3';

const MLMD_V10_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS \`Type\` ( \`id\` INTEGER PRIMARY KEY AUTOINCREMENT, \`name\` VARCHAR(255) NOT NULL,
     \`version\` VARCHAR(255), \`type_kind\` TINYINT(1) NOT NULL, \`description\` TEXT, \`input_type\` TEXT,
     \`output_type\` TEXT, \`external_id\` VARCHAR(255) UNIQUE )`,
  'CREATE TABLE IF NOT EXISTS `ParentType` ( `type_id` INT NOT NULL, `parent_type_id` INT NOT NULL, PRIMARY KEY (`type_id`, `parent_type_id`))',
  'CREATE TABLE IF NOT EXISTS `TypeProperty` ( `type_id` INT NOT NULL, `name` VARCHAR(255) NOT NULL, `data_type` INT NULL, PRIMARY KEY (`type_id`, `name`))',
  `CREATE TABLE IF NOT EXISTS \`Artifact\` ( \`id\` INTEGER PRIMARY KEY AUTOINCREMENT, \`type_id\` INT NOT NULL, \`uri\` TEXT,
     \`state\` INT, \`name\` VARCHAR(255), \`external_id\` VARCHAR(255) UNIQUE,
     \`create_time_since_epoch\` INT NOT NULL DEFAULT 0, \`last_update_time_since_epoch\` INT NOT NULL DEFAULT 0,
     UNIQUE(\`type_id\`, \`name\`) )`,
  ...['Artifact', 'Execution', 'Context'].map(
    (owner) => `CREATE TABLE IF NOT EXISTS \`${owner}Property\` ( \`${owner.toLowerCase()}_id\` INT NOT NULL,
     \`name\` VARCHAR(255) NOT NULL, \`is_custom_property\` TINYINT(1) NOT NULL, \`int_value\` INT, \`double_value\` DOUBLE,
     \`string_value\` TEXT, \`byte_value\` BLOB, \`proto_value\` BLOB, \`bool_value\` BOOLEAN,
     PRIMARY KEY (\`${owner.toLowerCase()}_id\`, \`name\`, \`is_custom_property\`))`,
  ),
  `CREATE TABLE IF NOT EXISTS \`Execution\` ( \`id\` INTEGER PRIMARY KEY AUTOINCREMENT, \`type_id\` INT NOT NULL,
     \`last_known_state\` INT, \`name\` VARCHAR(255), \`external_id\` VARCHAR(255) UNIQUE,
     \`create_time_since_epoch\` INT NOT NULL DEFAULT 0, \`last_update_time_since_epoch\` INT NOT NULL DEFAULT 0,
     UNIQUE(\`type_id\`, \`name\`) )`,
  `CREATE TABLE IF NOT EXISTS \`Context\` ( \`id\` INTEGER PRIMARY KEY AUTOINCREMENT, \`type_id\` INT NOT NULL,
     \`name\` VARCHAR(255) NOT NULL, \`external_id\` VARCHAR(255) UNIQUE,
     \`create_time_since_epoch\` INT NOT NULL DEFAULT 0, \`last_update_time_since_epoch\` INT NOT NULL DEFAULT 0,
     UNIQUE(\`type_id\`, \`name\`) )`,
  'CREATE TABLE IF NOT EXISTS `ParentContext` ( `context_id` INT NOT NULL, `parent_context_id` INT NOT NULL, PRIMARY KEY (`context_id`, `parent_context_id`))',
  `CREATE TABLE IF NOT EXISTS \`Event\` ( \`id\` INTEGER PRIMARY KEY AUTOINCREMENT, \`artifact_id\` INT NOT NULL,
     \`execution_id\` INT NOT NULL, \`type\` INT NOT NULL, \`milliseconds_since_epoch\` INT,
     UNIQUE(\`artifact_id\`, \`execution_id\`, \`type\`) )`,
  'CREATE TABLE IF NOT EXISTS `EventPath` ( `event_id` INT NOT NULL, `is_index_step` TINYINT(1) NOT NULL, `step_index` INT, `step_key` TEXT )',
  'CREATE TABLE IF NOT EXISTS `Association` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `context_id` INT NOT NULL, `execution_id` INT NOT NULL, UNIQUE(`context_id`, `execution_id`) )',
  'CREATE TABLE IF NOT EXISTS `Attribution` ( `id` INTEGER PRIMARY KEY AUTOINCREMENT, `context_id` INT NOT NULL, `artifact_id` INT NOT NULL, UNIQUE(`context_id`, `artifact_id`) )',
  'CREATE TABLE IF NOT EXISTS `MLMDEnv` ( `schema_version` INTEGER PRIMARY KEY )',
  // A few of MLMD's secondary indices, partial ones included.
  'CREATE INDEX IF NOT EXISTS `idx_artifact_uri` ON `Artifact`(`uri`)',
  'CREATE INDEX IF NOT EXISTS `idx_event_execution_id` ON `Event`(`execution_id`)',
  'CREATE INDEX IF NOT EXISTS `idx_type_name` ON `Type`(`name`)',
  'CREATE INDEX IF NOT EXISTS `idx_eventpath_event_id` ON `EventPath`(`event_id`)',
  'CREATE INDEX IF NOT EXISTS `idx_artifact_property_string` ON `ArtifactProperty`(`name`, `is_custom_property`, `string_value`) WHERE `string_value` IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS `idx_context_external_id` ON `Context`(`external_id`)',
];

/** Strings that trip naive SQL splitters and encoders. */
export const TRICKY_STRINGS = [
  'plain',
  'semi;colon; END;',
  "it's quoted 'twice''",
  'double "quotes"; and `backticks` and [brackets]',
  'line one\nline two;\r\nline three',
  '-- not a comment; /* nor this */',
  'CREATE TRIGGER t BEGIN SELECT 1; END;',
  'unicode: héllo wörld, 日本語, emoji 🚀🧪',
  '',
];

export interface MlmdFixtureSize {
  artifacts: number;
  executions: number;
  contexts: number;
}

/** Deterministic pseudo-random numbers (mulberry32), so fixtures are identical on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Creates an MLMD (schema version 10) database at `path` with the given numbers of artifacts, executions
 * and contexts, plus their properties, events, event paths, associations, attributions and parent
 * contexts. `padding` adds that many characters to each artifact's description-like property, to make
 * big databases quickly.
 */
export function createMlmdDatabase(path: string, size: MlmdFixtureSize, options: { seed?: number; padding?: number } = {}): void {
  const random = prng(options.seed ?? 1);
  const pad = 'x'.repeat(options.padding ?? 0);
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;');
    for (const sql of MLMD_V10_SCHEMA) db.exec(sql);
    db.exec('BEGIN');
    db.prepare('INSERT INTO MLMDEnv(schema_version) VALUES (10)').run();
    const type = db.prepare('INSERT INTO Type(name, version, type_kind, description, input_type, output_type, external_id) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const typeNames = ['system.Dataset', 'system.Model', 'system.Metrics', 'system.ContainerExecution', 'system.PipelineRun', 'system.Pipeline'];
    typeNames.forEach((name, i) => type.run(name, i % 2 ? '1.0.0' : null, i < 3 ? 1 : i === 3 ? 0 : 2, TRICKY_STRINGS[i] ?? null, null, null, null));
    db.prepare('INSERT INTO TypeProperty VALUES (1, ?, 3)').run('display_name');
    db.prepare('INSERT INTO ParentType VALUES (2, 1)').run();

    const artifact = db.prepare('INSERT INTO Artifact(type_id, uri, state, name, external_id, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const execution = db.prepare('INSERT INTO Execution(type_id, last_known_state, name, external_id, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?, ?)');
    const context = db.prepare('INSERT INTO Context(type_id, name, external_id, create_time_since_epoch, last_update_time_since_epoch) VALUES (?, ?, ?, ?, ?)');
    const property = (owner: string) =>
      db.prepare(`INSERT INTO ${owner}Property VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const artifactProperty = property('Artifact');
    const executionProperty = property('Execution');
    const contextProperty = property('Context');
    const t0 = 1_700_000_000_000;

    for (let id = 1; id <= size.contexts; id++) {
      context.run(5 + (id % 2), `run-${id}`, id % 3 ? `ctx-${id}` : null, t0 + id, t0 + id * 2);
      contextProperty.run(id, 'pipeline_name', 0, null, null, TRICKY_STRINGS[id % TRICKY_STRINGS.length]!, null, null, null);
      if (id > 1) db.prepare('INSERT INTO ParentContext VALUES (?, ?)').run(id, 1 + (id % Math.max(1, id - 1)));
    }
    for (let id = 1; id <= size.executions; id++) {
      execution.run(4, id % 6, `exec-${id}`, null, t0 + id, t0 + id + 5);
      executionProperty.run(id, 'image', 0, null, null, `registry.example/step:${id}`, null, null, null);
      executionProperty.run(id, 'retries', 1, id % 4, null, null, null, null, id % 2);
      if (size.contexts > 0) db.prepare('INSERT INTO Association(context_id, execution_id) VALUES (?, ?)').run(1 + (id % size.contexts), id);
    }
    const event = db.prepare('INSERT INTO Event(artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (?, ?, ?, ?)');
    const eventPath = db.prepare('INSERT INTO EventPath VALUES (?, ?, ?, ?)');
    let events = 0;
    for (let id = 1; id <= size.artifacts; id++) {
      const tricky = TRICKY_STRINGS[id % TRICKY_STRINGS.length]!;
      artifact.run(1 + (id % 3), `minio://mlpipeline/v2/artifacts/run-${id}/out;${id}`, id % 5, `art-${id}`, id % 4 ? null : `ext-${id}`, t0 + id, t0 + id + 1);
      artifactProperty.run(id, 'display_name', 0, null, null, `${tricky} #${id}${pad}`, null, null, null);
      artifactProperty.run(id, 'accuracy', 1, null, random() * 1000 - 500, null, null, null, null);
      artifactProperty.run(id, 'count', 1, Math.floor(random() * 2 ** 40), null, null, null, null, null);
      const bytes = Buffer.from(Array.from({ length: 1 + (id % 40) }, () => Math.floor(random() * 256)));
      artifactProperty.run(id, 'payload', 1, null, null, null, bytes, id % 7 === 0 ? Buffer.from([0, 39, 59, 10]) : null, null);
      if (size.executions > 0) {
        event.run(id, 1 + (id % size.executions), 1 + (id % 2) * 2, t0 + id);
        events++;
        eventPath.run(events, id % 2, id % 2 ? id % 3 : null, id % 2 ? null : `key;${tricky}`);
      }
      if (size.contexts > 0) db.prepare('INSERT INTO Attribution(context_id, artifact_id) VALUES (?, ?)').run(1 + (id % size.contexts), id);
    }
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

/** Adds a view and a trigger (whose body has `;`s) to a database, so its dump has both. */
export function addViewAndTrigger(path: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec(`
      CREATE TABLE AuditLog(id INTEGER PRIMARY KEY, artifact_id INT, note TEXT);
      CREATE VIEW ArtifactSummary AS SELECT a.id, a.uri, p.string_value AS display_name
        FROM Artifact a LEFT JOIN ArtifactProperty p ON p.artifact_id = a.id AND p.name = 'display_name';
      CREATE TRIGGER artifact_audit AFTER UPDATE OF uri ON Artifact BEGIN
        INSERT INTO AuditLog(artifact_id, note) VALUES (new.id, 'uri changed; was ' || old.uri);
        UPDATE Artifact SET last_update_time_since_epoch = last_update_time_since_epoch + 1 WHERE id = new.id;
      END;
      UPDATE Artifact SET uri = uri || '?v=2' WHERE id <= 3;
    `);
  } finally {
    db.close();
  }
}

/** `sqlite3 <db> .dump`, optionally through gzip, into `out`: the runbook's backup, piped in node. */
export async function dumpWithSqlite3(dbPath: string, out: string, options: { gzip: boolean }): Promise<void> {
  const dump = execa(SQLITE3, [dbPath, '.dump'], { stdout: 'pipe', buffer: false, stdin: 'ignore' });
  const stdout = dump.stdout;
  if (stdout === null) throw new Error('sqlite3 has no stdout');
  const sink = createWriteStream(out);
  await Promise.all([options.gzip ? pipeline(stdout, createGzip(), sink) : pipeline(stdout, sink), dump]);
}

/**
 * Every table's rows (ordered by rowid) and every schema object's SQL, as a digest per object, for
 * comparing two databases by content. Blobs and texts are kept apart (a blob is not equal to a text).
 */
export function databaseContents(path: string): Record<string, string> {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const out: Record<string, string> = {};
    const objects = db
      .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name")
      .all();
    for (const { type, name, sql } of objects) {
      out[`${String(type)} ${String(name)}`] = String(sql);
      if (type !== 'table') continue;
      const hash = createHash('sha256');
      let rows = 0;
      for (const row of db.prepare(`SELECT * FROM "${String(name)}" ORDER BY rowid`).iterate()) {
        rows++;
        hash.update(JSON.stringify(Object.values(row), (_key, value: unknown) =>
          value instanceof Uint8Array ? `blob:${Buffer.from(value).toString('hex')}` : typeof value === 'number' ? `${typeof value}:${Object.is(value, -0) ? '-0' : String(value)}` : value,
        ));
        hash.update('\n');
      }
      out[`rows ${String(name)}`] = `${rows} ${hash.digest('hex')}`;
    }
    return out;
  } finally {
    db.close();
  }
}
