import { compareSchema } from '../../../src/mlmd/schemaCompare';
import { SchemaTooNewError } from '../../../src/mlmd/errors';
import { looksLikeSqlText } from '../../../src/mlmd/sqlText';
import { requiredMlmdTables } from '../../../src/mlmd/mlmdSchema';
import { excerpt } from '../../../src/mlmd/excerpt';

describe('compareSchema', () => {
  test('same version: nothing to say', () => {
    expect(compareSchema(10, 10)).toEqual({ relation: 'same' });
  });
  test('older backup: MLMD upgrades it on start', () => {
    const result = compareSchema(8, 10);
    expect(result.relation).toBe('older');
    expect(result.relation === 'older' && result.warning).toContain('--enable_database_upgrade=true');
  });
  test('newer backup: refused, unless forced', () => {
    expect(() => compareSchema(11, 10)).toThrow(SchemaTooNewError);
    expect(() => compareSchema(11, 10)).toThrow(/newer than the live 10/);
    const forced = compareSchema(11, 10, { force: true });
    expect(forced.relation).toBe('newer');
  });
});

test('SQL text is told from binary bytes', () => {
  expect(looksLikeSqlText(Buffer.from("PRAGMA foreign_keys=OFF;\nINSERT INTO t VALUES('日本語 🚀');\r\n"))).toBe(true);
  // A multi-byte character cut at the end of the sample is fine.
  expect(looksLikeSqlText(Buffer.from('SELECT \'日').subarray(0, 9))).toBe(true);
  expect(looksLikeSqlText(Buffer.from([0x53, 0x45, 0x00, 0x4c]))).toBe(false);
  expect(looksLikeSqlText(Buffer.from([0x53, 0xff, 0xfe, 0x41, 0x42]))).toBe(false);
  expect(looksLikeSqlText(Buffer.from([0x53, 0x1b, 0x41]))).toBe(false);
});

test('tables required depend on the schema version', () => {
  expect(requiredMlmdTables(10)).toEqual(expect.arrayContaining(['MLMDEnv', 'Artifact', 'Context', 'Attribution', 'ParentContext']));
  expect(requiredMlmdTables(2)).not.toContain('Context');
  expect(requiredMlmdTables(5)).toContain('Association');
  expect(requiredMlmdTables(5)).not.toContain('ParentContext');
});

test('excerpts are short and on one line', () => {
  expect(excerpt("INSERT INTO t\n  VALUES('a');")).toBe("INSERT INTO t VALUES('a');");
  const long = excerpt(`INSERT INTO t VALUES('${'x'.repeat(10_000)}');`);
  expect(long.length).toBe(161);
  expect(long.endsWith('…')).toBe(true);
});
