import { describeError, InvalidInputError } from '../../../src/errors';
import { ParamReader, validateObjectKey } from '../../../src/juju/params';

test('reads typed params with fallbacks', () => {
  const params = new ParamReader({ name: 'x', flag: 'true', count: '12', mode: 'checksum' });
  expect(params.string('name')).toBe('x');
  expect(params.boolean('flag', false)).toBe(true);
  expect(params.boolean('absent', true)).toBe(true);
  expect(params.integer('count', undefined, { min: 0 })).toBe(12);
  expect(params.integer('none', undefined, { min: 0 })).toBeUndefined();
  expect(params.oneOf('mode', ['size', 'checksum'] as const, 'size')).toBe('checksum');
  expect(() => params.rejectUnknown()).not.toThrow();
});

test.each([
  [{ count: 1.5 }, (p: ParamReader) => p.integer('count', 1, { min: 0 }), /whole number/],
  [{ count: 300 }, (p: ParamReader) => p.integer('count', 1, { min: 1, max: 256 }), /between 1 and 256/],
  [{ flag: 'yes' }, (p: ParamReader) => p.boolean('flag', false), /true or false/],
  [{ mode: 'md5' }, (p: ParamReader) => p.oneOf('mode', ['size', 'checksum'] as const, 'size'), /one of size, checksum/],
  [{}, (p: ParamReader) => p.string('backup'), /backup is required/],
  [{ backup: 'a\nb' }, (p: ParamReader) => p.string('backup'), /control characters/],
])('bad value %j gives a clear InvalidInputError', (raw, read, message) => {
  const call = () => read(new ParamReader(raw));
  expect(call).toThrow(InvalidInputError);
  expect(call).toThrow(message);
});

test('unknown params are named, with what is accepted', () => {
  const params = new ParamReader({ backup: 'x', 'dry_run': true });
  params.string('backup');
  params.boolean('dry-run', false);
  const error = (() => {
    try {
      params.rejectUnknown();
    } catch (caught) {
      return caught;
    }
    throw new Error('expected rejectUnknown to throw');
  })();
  expect(describeError(error)).toBe('unknown parameter dry_run. Accepted: backup, dry-run');
});

test.each(['../../etc/passwd', '/etc/passwd', 'a/../b', 'a//b', './a', 'a\u0000b', ''])('object key %j is refused', (key) => {
  expect(() => validateObjectKey('backup', key)).toThrow(InvalidInputError);
});

test.each(['mlmd-2024-05-01-10-30.dump.gz', 'sub dir/ünï cödé+%?#.db', 'a/b/c'])('object key %j is accepted', (key) => {
  expect(validateObjectKey('backup', key)).toBe(key);
});

test('trailing slash only where allowed (prefixes)', () => {
  expect(() => validateObjectKey('prefix', 'mlpipeline/')).toThrow(/empty path segments/);
  expect(validateObjectKey('prefix', 'mlpipeline/', { allowTrailingSlash: true })).toBe('mlpipeline/');
});
