/**
 * Golden files: the JSON of a value compared with a file under golden/. A golden is
 * written only by an explicit `UPDATE_GOLDEN=1` run, never silently: a missing file fails.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, 'golden');

export function assertGolden(name: string, value: unknown): void {
  const file = join(DIR, `${name}.json`);
  const actual = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(
    existsSync(file),
    `golden ${file} is missing: run the test with UPDATE_GOLDEN=1 and review it`,
  );
  // Compared as data, so the file may be formatted (prettier runs over the tree).
  assert.deepEqual(
    JSON.parse(actual) as unknown,
    JSON.parse(readFileSync(file, 'utf8')) as unknown,
    `output differs from golden ${name}.json (UPDATE_GOLDEN=1 rewrites it; review the diff)`,
  );
}
