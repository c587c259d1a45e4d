import { describeAge, takenFromName } from '../../../src/mlmd/backupName';

test.each([
  ['mlmd-2024-05-01-10-30.dump.gz', '2024-05-01T10:30:00.000Z'],
  ['mlmd-2024-05-01-10-30', '2024-05-01T10:30:00.000Z'],
  ['mlmd-2024-05-01-10-30.db', '2024-05-01T10:30:00.000Z'],
  ['ckf-restore/pre-restore/mlmd-2026-12-04T21-03-05Z.db', '2026-12-04T21:03:05.000Z'],
  ['mlmd-2024-12-31-23-59-kubectl.db', '2024-12-31T23:59:00.000Z'],
])('%s was taken at %s (UTC)', (name, iso) => {
  expect(takenFromName(name)?.toISOString()).toBe(iso);
});

test.each(['mlmd.db', 'mlmd-latest.dump.gz', 'mlmd-2024-02-30-10-30.dump.gz', 'mlmd-2024-13-01-10-30.db', 'mlmd-2024-05-01-24-00.db', 'mlmd-2024-05-01-10-3.db', 'mlmd-2024-05-01-10-301.db', 'xmlmd-2024-05-01-10-30.db'])(
  '%s names no time',
  (name) => {
    expect(takenFromName(name)).toBeUndefined();
  },
);

test('ages read at a glance', () => {
  const now = new Date('2024-05-03T12:00:00Z');
  expect(describeAge(new Date('2024-05-03T11:59:15Z'), now)).toBe('45s');
  expect(describeAge(new Date('2024-05-03T11:48:00Z'), now)).toBe('12m');
  expect(describeAge(new Date('2024-05-03T08:40:00Z'), now)).toBe('3h 20m');
  expect(describeAge(new Date('2024-04-29T06:00:00Z'), now)).toBe('4d 6h');
  expect(describeAge(new Date('2024-05-04T00:00:00Z'), now)).toBe('in the future');
});
