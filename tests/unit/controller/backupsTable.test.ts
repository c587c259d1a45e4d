import { newestFinished, parseBackupsTable } from '../../../src/restore/databases/backupsTable';
import { redactValues as redact } from '../../../src/util/redact';
import { unitNameFromTag, unitTag } from '../../../src/juju/controller/modelClient';
import { formatBackupsTable } from '../../fakes/jujuController/actions';

const TABLE = [
  'backup-id             | backup-type  | backup-status',
  '----------------------------------------------------',
  '2024-05-01T10:25:00Z  | physical     | finished',
  '2024-05-02T10:25:00Z  | physical     | failed',
  '2024-05-03T10:25:00Z  | physical     | in progress',
].join('\n');

test('parses the mysql-k8s list-backups table', () => {
  expect(parseBackupsTable(TABLE)).toEqual([
    { id: '2024-05-01T10:25:00Z', type: 'physical', status: 'finished' },
    { id: '2024-05-02T10:25:00Z', type: 'physical', status: 'failed' },
    { id: '2024-05-03T10:25:00Z', type: 'physical', status: 'in progress' },
  ]);
});

test('an empty table is no backups; text without a header is null', () => {
  expect(parseBackupsTable(TABLE.split('\n').slice(0, 2).join('\n'))).toEqual([]);
  expect(parseBackupsTable('Failed to retrieve backup ids from S3')).toBeNull();
});

test('columns are found by name', () => {
  expect(parseBackupsTable('backup-status | backup-id\n---\nfinished | X')).toEqual([{ id: 'X', type: '', status: 'finished' }]);
});

test('the fake prints what the parser reads', () => {
  const backups = [{ id: '2024-05-02T00:00:00Z', status: 'finished' as const }, { id: '2024-05-01T00:00:00Z', status: 'failed' as const }];
  expect(parseBackupsTable(formatBackupsTable(backups))).toEqual([
    { id: '2024-05-01T00:00:00Z', type: 'physical', status: 'failed' },
    { id: '2024-05-02T00:00:00Z', type: 'physical', status: 'finished' },
  ]);
});

test('newest finished ids, newest first, at most five', () => {
  const entries = ['01', '05', '03', '02', '07', '06', '04'].map((d) => ({ id: `2024-05-${d}T00:00:00Z`, type: 'physical', status: d === '07' ? 'failed' : 'finished' }));
  expect(newestFinished(entries)).toEqual(['06', '05', '04', '03', '02'].map((d) => `2024-05-${d}T00:00:00Z`));
});

test('redact hides every occurrence of each secret', () => {
  expect(redact('cannot send request {"credentials":"pw"} pw', ['pw', ''])).toBe('cannot send request {"credentials":"***"} ***');
});

test('unit tags', () => {
  expect(unitTag('kfp-db/12')).toBe('unit-kfp-db-12');
  expect(unitNameFromTag('unit-kfp-db-12')).toBe('kfp-db/12');
});
