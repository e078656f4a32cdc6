/**
 * The purity boundary is enforced by the linter: code in a pure room that reaches for
 * I/O, the clock, randomness or the AWS SDK fails `npm test`. These tests lint small
 * sources as if they lived in those rooms, so the rule cannot silently stop firing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { repoRoot } from '../../env/paths.ts';

const eslint = new ESLint({ cwd: repoRoot });

async function ruleIds(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('purity boundary', () => {
  const pureFile = 'pkg/plan/index.ts';

  const forbidden: readonly (readonly [string, string, string])[] = [
    [
      'node: I/O',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      '@typescript-eslint/no-restricted-imports',
    ],
    [
      'the AWS SDK',
      "import { EC2Client } from '@aws-sdk/client-ec2';\nexport const x = EC2Client;\n",
      '@typescript-eslint/no-restricted-imports',
    ],
    [
      'the Kubernetes client at runtime',
      "import { CoreV1Api } from '@kubernetes/client-node';\nexport const x = CoreV1Api;\n",
      '@typescript-eslint/no-restricted-imports',
    ],
    [
      'a room that touches the world',
      "import { createAwsClients } from '../aws/index.ts';\nexport const x = createAwsClients;\n",
      '@typescript-eslint/no-restricted-imports',
    ],
    ['the clock', 'export const now = (): number => Date.now();\n', 'no-restricted-globals'],
    ['randomness', 'export const r = (): number => Math.random();\n', 'no-restricted-properties'],
    [
      'the environment',
      'export const e = (): string | undefined => process.env.HOME;\n',
      'no-restricted-globals',
    ],
    [
      'timers',
      'export const t = (f: () => void): unknown => setTimeout(f, 1);\n',
      'no-restricted-globals',
    ],
  ];
  for (const [what, code, rule] of forbidden) {
    it(`rejects ${what} in a pure room`, async () => {
      assert.ok((await ruleIds(pureFile, code)).includes(rule), `expected ${rule} for ${what}`);
    });
  }

  it('allows Kubernetes types in a pure room', async () => {
    const code =
      "import type { V1Ingress } from '@kubernetes/client-node';\nexport const name = (i: V1Ingress): string | undefined => i.metadata?.name;\n";
    assert.deepEqual(await ruleIds(pureFile, code), []);
  });

  it('allows I/O in a room that touches the world', async () => {
    const code =
      "import { readFileSync } from 'node:fs';\nexport const read = (p: string): string => readFileSync(p, 'utf8');\n";
    assert.deepEqual(await ruleIds('pkg/deploy/index.ts', code), []);
  });
});
