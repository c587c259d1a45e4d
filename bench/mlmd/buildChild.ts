// Runs one MLMD build in a process of its own, so its peak RSS is the build's alone.
// argv: <input> <output>; prints one JSON line: the BuiltDatabase and maxRssBytes.
import { buildMlmdDatabase } from '../../src/mlmd';

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (input === undefined || output === undefined) throw new Error('usage: buildChild <input> <output>');
  const built = await buildMlmdDatabase({ input, output, requestedFormat: 'auto' });
  const maxRssBytes = process.resourceUsage().maxRSS * 1024; // maxRSS is in KiB
  process.stdout.write(`${JSON.stringify({ built, maxRssBytes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
