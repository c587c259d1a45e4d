/*
 * House rules of the source tree that a reviewer would otherwise have to remember: one file-naming
 * convention (camelCase) across src/ and tests/, and no import cycles between modules of src/.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    out.push(path);
    if (statSync(path).isDirectory()) walk(path, out);
  }
  return out;
}

/** `fooBar`, `fooBar.test`, `fooBar.cjs`: a camelCase stem and lower-case extensions. */
const CAMEL = /^[a-z][a-zA-Z0-9]*(\.[a-z0-9]+)*$/;

test('every file and folder under src/ and tests/ is named in camelCase', () => {
  const offenders = ['src', 'tests']
    .flatMap((top) => walk(join(ROOT, top)))
    .map((path) => relative(ROOT, path))
    .filter((path) => !CAMEL.test(path.split('/').pop()!));
  expect(offenders).toEqual([]);
});

/** Relative module specifiers a file imports (static, type-only and dynamic alike). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((spec) => resolveModule(dirname(file), spec)).filter((path): path is string => path !== undefined);
}

function resolveModule(from: string, spec: string): string | undefined {
  const base = resolve(from, spec);
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate: try the next one
    }
  }
  return undefined;
}

/** Every cycle's path (as repo-relative files), found by depth-first search over the import graph. */
function cycles(files: string[]): string[][] {
  const graph = new Map(files.map((file) => [file, importsOf(file)]));
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string): void => {
    state.set(file, 'active');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'active') found.push([...stack.slice(stack.indexOf(next)), next].map((p) => relative(ROOT, p)));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}

test('the cycle finder finds a cycle (so an empty answer below means something)', () => {
  const dir = join(ROOT, 'tests', 'unit', 'sourceTreeFixture');
  expect(cycles([join(dir, 'a.ts'), join(dir, 'b.ts'), join(dir, 'c.ts')])).toEqual([
    ['tests/unit/sourceTreeFixture/a.ts', 'tests/unit/sourceTreeFixture/b.ts', 'tests/unit/sourceTreeFixture/a.ts'],
  ]);
});

test('no module of src/ imports itself through others', () => {
  const files = walk(join(ROOT, 'src')).filter((path) => path.endsWith('.ts'));
  expect(files.length).toBeGreaterThan(50);
  expect(cycles(files)).toEqual([]);
});
