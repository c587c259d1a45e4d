import { planSync, withChecksumDifferences } from '../../../src/storage/sync/planner';

const options = { sourcePrefix: 'cluster-a/mlpipeline/', destinationPrefix: '', deleteExtra: true };

test('missing and size-different objects are copied, same-size ones kept, extras deleted; keys lose the source prefix', () => {
  const plan = planSync(
    [
      { key: 'cluster-a/mlpipeline/new', size: 3 },
      { key: 'cluster-a/mlpipeline/changed', size: 5 },
      { key: 'cluster-a/mlpipeline/same', size: 7 },
      { key: 'cluster-a/mlpipeline/dir/', size: 0 },
    ],
    [
      { key: 'changed', size: 4 },
      { key: 'same', size: 7 },
      { key: 'extra', size: 9 },
    ],
    options,
  );
  expect(plan.copy).toEqual([
    { sourceKey: 'cluster-a/mlpipeline/new', destinationKey: 'new', size: 3, reason: 'missing' },
    { sourceKey: 'cluster-a/mlpipeline/changed', destinationKey: 'changed', size: 5, reason: 'size' },
    { sourceKey: 'cluster-a/mlpipeline/dir/', destinationKey: 'dir/', size: 0, reason: 'missing' },
  ]);
  expect(plan.unchanged).toEqual([{ sourceKey: 'cluster-a/mlpipeline/same', destinationKey: 'same', size: 7 }]);
  expect(plan.delete).toEqual([{ key: 'extra', size: 9 }]);
  expect(plan.ignored).toEqual([]);
});

test('copy only (deleteExtra false) plans no deletes', () => {
  const plan = planSync([{ key: 'cluster-a/mlpipeline/a', size: 1 }], [{ key: 'b', size: 1 }], { ...options, deleteExtra: false });
  expect(plan.delete).toEqual([]);
  expect(plan.copy).toHaveLength(1);
});

test('the source prefix itself (a directory marker) maps to no key and is ignored, not copied as ""', () => {
  const plan = planSync([{ key: 'cluster-a/mlpipeline/', size: 0 }, { key: 'cluster-a/mlpipeline/x', size: 1 }], [], options);
  expect(plan.ignored).toEqual(['cluster-a/mlpipeline/']);
  expect(plan.copy.map((item) => item.destinationKey)).toEqual(['x']);
});

test('a destination prefix is added to destination keys and only keys under it are compared or deleted', () => {
  const plan = planSync([{ key: 's/a', size: 1 }], [{ key: 'd/a', size: 1 }, { key: 'd/old', size: 2 }, { key: 'elsewhere', size: 3 }], {
    sourcePrefix: 's/',
    destinationPrefix: 'd/',
    deleteExtra: true,
  });
  expect(plan.copy).toEqual([]);
  expect(plan.unchanged).toEqual([{ sourceKey: 's/a', destinationKey: 'd/a', size: 1 }]);
  expect(plan.delete).toEqual([{ key: 'd/old', size: 2 }]);
});

test('keys are compared exactly: case, unicode normalisation and trailing slashes all make different keys', () => {
  const plan = planSync(
    [{ key: 'Key', size: 1 }, { key: 'caf\u00e9', size: 1 }, { key: 'dir/', size: 0 }],
    [{ key: 'key', size: 1 }, { key: 'cafe\u0301', size: 1 }, { key: 'dir', size: 0 }],
    { sourcePrefix: '', destinationPrefix: '', deleteExtra: true },
  );
  expect(plan.copy.map((item) => item.destinationKey)).toEqual(['Key', 'caf\u00e9', 'dir/']);
  expect(plan.delete.map((item) => item.key)).toEqual(['key', 'cafe\u0301', 'dir']);
});

test('empty listings give an empty plan', () => {
  expect(planSync([], [], options)).toEqual({ copy: [], unchanged: [], delete: [], ignored: [] });
});

test('checksum differences move unchanged pairs into the copy list', () => {
  const plan = planSync([{ key: 'a', size: 1 }, { key: 'b', size: 1 }], [{ key: 'a', size: 1 }, { key: 'b', size: 1 }], { sourcePrefix: '', destinationPrefix: '', deleteExtra: true });
  const checked = withChecksumDifferences(plan, new Set(['b']));
  expect(checked.copy).toEqual([{ sourceKey: 'b', destinationKey: 'b', size: 1, reason: 'checksum' }]);
  expect(checked.unchanged.map((item) => item.sourceKey)).toEqual(['a']);
});
