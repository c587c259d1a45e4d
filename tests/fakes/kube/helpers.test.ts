import { matchesLabels, parseLabelSelector } from './labels';
import { applyJsonPatch, applyMergePatch, PatchError } from './patch';

test('label selectors: =, ==, !=, exists, !exists; set-based is refused', () => {
  const labels = { app: 'mlmd', tier: 'db' };
  const m = (s: string, l: Record<string, string> | undefined = labels) => matchesLabels(l, parseLabelSelector(s));
  expect(m('app=mlmd')).toBe(true);
  expect(m('app==mlmd,tier=db')).toBe(true);
  expect(m('app=other')).toBe(false);
  expect(m('app!=mlmd')).toBe(false);
  expect(m('missing!=x')).toBe(true);
  expect(m('tier')).toBe(true);
  expect(m('!tier')).toBe(false);
  expect(m('')).toBe(true);
  expect(m('app=mlmd', {})).toBe(false);
  expect(matchesLabels(undefined, parseLabelSelector('app!=x'))).toBe(true);
  expect(() => parseLabelSelector('app in (a,b)')).toThrow();
});

test('merge patch (RFC 7386): nested merge, null deletes, arrays replace', () => {
  expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
});

test('JSON patch (RFC 6902): ops, escaping, errors', () => {
  const doc = { m: { 'a/b': 1, 'x~y': 2 }, l: [1, 2] };
  expect(applyJsonPatch(doc, [{ op: 'remove', path: '/m/a~1b' }, { op: 'replace', path: '/m/x~0y', value: 3 }, { op: 'add', path: '/l/-', value: 9 }])).toEqual({
    m: { 'x~y': 3 },
    l: [1, 2, 9],
  });
  expect(doc.m['a/b']).toBe(1); // the input is not modified
  expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow(PatchError);
  expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/l/0', value: 2 }])).toThrow(PatchError);
  expect(() => applyJsonPatch(doc, { op: 'add' })).toThrow(PatchError);
});
