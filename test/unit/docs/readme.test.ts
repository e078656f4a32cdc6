/**
 * The README states only what the repository holds: every test it cites as proof of a
 * feature exists, every flag it names is one the controller or `albatross plan` has, and
 * every relative link resolves.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { CONTROLLER_HELP } from '../../../controller/config.ts';
import { PLAN_HELP, TOP_HELP } from '../../../pkg/cli/help.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9-]*)/g)].map((m) => m[1] ?? ''));
}

describe('README.md', () => {
  it('cites only test files that exist, and cites tests in its feature table', () => {
    const cited = new Set(
      [...readme.matchAll(/\btest\/[\w/.-]+\.(?:ts|json)\b/g)].map((m) => m[0]),
    );
    assert.ok(cited.size > 50, `the feature table cites tests (found ${String(cited.size)})`);
    assert.deepEqual(
      [...cited].filter((p) => !existsSync(join(root, p))),
      [],
    );
  });

  it('names only controller and plan flags that exist', () => {
    const known = new Set([
      ...flagsIn(CONTROLLER_HELP),
      ...flagsIn(PLAN_HELP),
      ...flagsIn(TOP_HELP),
    ]);
    // Flags of other tools shown in the README's commands.
    const others = new Set([
      'namespace',
      'create-namespace',
      'set',
      'keep',
      'output',
      'write',
      'test',
    ]);
    const prose = readme.replace(/```[\s\S]*?```/g, '');
    const unknown = [...flagsIn(prose)].filter((f) => !known.has(f) && !others.has(f));
    assert.deepEqual(unknown, []);
  });

  it('links only to files that exist', () => {
    const broken = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1] ?? '')
      .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(join(root, target)));
    assert.deepEqual(broken, []);
  });
});
