/**
 * `npm run bench`: runs every `*-bench.ts` in this directory (or those whose name
 * contains an argument), each exporting `bench()`. Prints figures; asserts nothing.
 */
import { readdir } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';

const filters = process.argv.slice(2);
const directory = new URL('./', import.meta.url);
const files = (await readdir(directory))
  .filter((f) => f.endsWith('-bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} CPUs (benchmarks use one)`,
);
for (const file of files) {
  const module = (await import(new URL(file, directory).href)) as { bench?: () => unknown };
  if (typeof module.bench !== 'function') {
    console.log(`${file}: exports no bench(); skipped`);
    continue;
  }
  console.log(`\n# ${file}`);
  await module.bench();
}
