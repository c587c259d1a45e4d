import { execa } from 'execa';
import { DatabaseSync } from 'node:sqlite';
import { KubeConfig } from '@kubernetes/client-node';
test('toolchain', async () => {
  const r = await execa('echo', ['hi']);
  expect(r.stdout).toBe('hi');
  const db = new DatabaseSync(':memory:');
  expect(db.prepare('select 1 as x').get()).toEqual({ x: 1 });
  expect(typeof KubeConfig).toBe('function');
  expect(process.versions.node.startsWith('22.')).toBe(true);
});
