import { InvalidInputError } from '../../../src/errors';
import { databaseBackupTime, formatDuration, formatUtc, mlmdBackupTime, parseAt, parseDuration, parseUtcTime } from '../../../src/restore/controlPlane/backupTime';

const iso = (date: Date | undefined) => date?.toISOString();

describe('at', () => {
  test.each([
    ['2024-05-01T10:30Z', '2024-05-01T10:30:00.000Z'],
    ['2024-05-01T10:30:00Z', '2024-05-01T10:30:00.000Z'],
    // The forms list-backups prints: MLMD objects' and mlpipeline's times (ISO with ms), mysql-k8s ids.
    ['2024-05-01T10:30:07.123Z', '2024-05-01T10:30:07.123Z'],
    ['2024-05-01T10:25:00Z', '2024-05-01T10:25:00.000Z'],
    ['2024-02-29t23:59z', '2024-02-29T23:59:00.000Z'],
    [' 2024-05-01T10:30Z ', '2024-05-01T10:30:00.000Z'],
  ])('%s is %s', (text, expected) => {
    const at = parseAt(text);
    expect(at.latest ? 'latest' : iso(at.time)).toBe(expected);
  });

  test('latest', () => {
    expect(parseAt('latest')).toEqual({ latest: true });
  });

  test.each([
    '2024-05-01 10:30:00', // no zone: refused, never guessed
    '2024-05-01T10:30:00+02:00',
    '2024-05-01T10:30',
    '2024-05-01',
    '2023-02-29T10:30Z', // not a day
    '2024-05-01T24:00Z',
    '2024-13-01T10:30Z',
    'yesterday',
    'Latest',
    '',
  ])('%j is refused with what it accepts', (text) => {
    expect(() => parseAt(text)).toThrow(InvalidInputError);
    expect(() => parseAt(text)).toThrow(/^parameter at must be "latest" or a UTC time/);
  });

  test('formatUtc writes seconds and Z', () => {
    expect(formatUtc(parseUtcTime('2024-05-01T10:30:07.999Z')!)).toBe('2024-05-01T10:30:07Z');
  });
});

describe('max-skew', () => {
  test.each([
    ['1h', 3600_000],
    ['30m', 1800_000],
    ['90s', 90_000],
    ['2h30m', 9000_000],
    ['1h0m30s', 3630_000],
    ['0s', 0],
    ['48h', 172_800_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '1', '1.5h', '30m1h', '1d', '-1h', 'h', '1h 30m', '9000h'])('%j is refused', (text) => {
    expect(() => parseDuration(text)).toThrow(InvalidInputError);
    expect(() => parseDuration(text)).toThrow(/^parameter max-skew (must be a duration like 1h, 30m, 90s or 2h30m|is more than a year)/);
  });

  test.each([
    [0, '0s'],
    [45_000, '45s'],
    [7_500_000, '2h5m'],
    [3_630_000, '1h30s'],
  ])('%i ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('backup times', () => {
  test.each([
    ['mlmd-2024-05-01-10-30.dump.gz', '2024-05-01T10:30:00.000Z', 'runbook'],
    ['mlmd-2024-05-01-10-30.db', '2024-05-01T10:30:00.000Z', 'runbook'],
    ['mlmd-2024-05-01-10-30', '2024-05-01T10:30:00.000Z', 'runbook'],
    ['ckf-restore/pre-restore/mlmd-2024-05-01T10-30-05Z.db', '2024-05-01T10:30:05.000Z', 'snapshot'],
  ])('MLMD %s: %s (%s)', (name, time, kind) => {
    expect(mlmdBackupTime(name)).toEqual({ time: new Date(time), kind });
  });

  test.each(['mlmd.db', 'mlmd-2024-05-01-10-301.db', 'mlmd-2024-02-30-10-30.db', 'other/mlmd-2024-05-01-10-30.db', 'mlmd-latest.dump.gz'])('MLMD %s has no time', (name) => {
    expect(mlmdBackupTime(name)).toBeUndefined();
  });

  test('mysql-k8s ids', () => {
    expect(iso(databaseBackupTime('2024-05-01T10:25:00Z'))).toBe('2024-05-01T10:25:00.000Z');
    expect(databaseBackupTime('2024-05-01T10:25Z')).toBeUndefined();
    expect(databaseBackupTime('backup-1')).toBeUndefined();
  });
});
