import { decodeJournal, encodeJournal, JournalFormatError, type JournalContent } from '../../../src/restore/controlPlane/journalFormat';

const CONTENT: JournalContent = {
  runId: 'r1',
  startedAt: '2024-05-01T10:40:00.000Z',
  backupSet: { mlpipeline: { backup: 'mlpipeline', time: '2024-05-01T10:20:00Z' } },
  finishedPhases: ['plan'],
  originalReplicas: { 'kfp-api': 0 },
};

test('round trip', () => {
  expect(decodeJournal(encodeJournal(CONTENT), 'x')).toEqual(CONTENT);
});

test.each([
  ['another format version', { ...JSON.parse(encodeJournal(CONTENT)), version: 2 }, /format version 2, this charm reads 1/],
  ['a missing field', (({ finishedPhases: _f, ...rest }) => rest)(JSON.parse(encodeJournal(CONTENT))), /finishedPhases is not a list/],
  ['a count that is not one', { ...JSON.parse(encodeJournal(CONTENT)), originalReplicas: { 'kfp-api': -1 } }, /originalReplicas\.kfp-api is not a replica count/],
  ['a time that is not UTC', { ...JSON.parse(encodeJournal(CONTENT)), startedAt: '2024-05-01T10:40:00+02:00' }, /startedAt is not a UTC time/],
  ['a backup without its time', { ...JSON.parse(encodeJournal(CONTENT)), backupSet: { mlmd: { backup: 'b' } } }, /backupSet\.mlmd\.time is not a string/],
  ['not an object', [1, 2], /the journal is not an object/],
])('refuses %s', (_name, value, message) => {
  const error = (() => {
    try {
      return decodeJournal(JSON.stringify(value), 'here');
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(JournalFormatError);
  expect((error as Error).message).toMatch(message);
});

test('writing an invalid journal is refused too', () => {
  expect(() => encodeJournal({ ...CONTENT, runId: '' })).toThrow(/runId is empty/);
});
