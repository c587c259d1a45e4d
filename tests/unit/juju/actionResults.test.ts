import { flattenResults, toResultKey } from '../../../src/juju/actionResults';

test('nested results become dotted keys with string values', () => {
  expect(flattenResults({ format: 'sqlite', counts: { artifacts: 12, dryRun: false }, errors: [{ key: 'a b', reason: 'x' }], skipped: null })).toEqual({
    format: 'sqlite',
    'counts.artifacts': '12',
    'counts.dry-run': 'false',
    'errors.0.key': 'a b',
    'errors.0.reason': 'x',
  });
});

test('names are turned into keys Juju accepts', () => {
  expect(toResultKey('bytesCopied')).toBe('bytes-copied');
  expect(toResultKey('kfp-db')).toBe('kfp-db');
  expect(toResultKey('Some_Key ')).toBe('some-key');
  expect(() => toResultKey('__')).toThrow(/cannot make a valid action result key/);
});

test('reserved top-level keys are refused before Juju refuses them', () => {
  expect(() => flattenResults({ stdout: 'x' })).toThrow(/reserved/);
  expect(flattenResults({ copy: { stdout: 'x' } })).toEqual({ 'copy.stdout': 'x' });
});
