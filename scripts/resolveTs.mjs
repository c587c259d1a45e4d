// Module resolve hook for running the project's TypeScript directly on Node 22 (scripts, sandbox, benches):
// the sources import siblings without extensions, as bundlers and jest allow; Node's ESM loader does not.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    if (!relative || /\.[cm]?[jt]s$/.test(specifier)) throw error;
    for (const candidate of [`${specifier}.ts`, `${specifier}/index.ts`]) {
      const found = await next(candidate, context).then(
        (result) => result,
        () => undefined, // not this candidate; the original error is thrown below if none matches
      );
      if (found) return found;
    }
    throw error;
  }
}
