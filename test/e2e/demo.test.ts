/**
 * The README's first quick-start command, as a newcomer runs it: `albatross demo` starts
 * the local environment and the controller, applies examples/, and prints the ALBs the
 * AWS API now holds and every Ingress's address; then it stops everything.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../env/paths.ts';

const run = promisify(execFile);

describe('albatross demo', () => {
  it('builds the examples live and prints what AWS holds and each Ingress address', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.ALBATROSS_TESTENV_STATE;
    const { stdout } = await run(
      join(repoRoot, 'scripts', 'node'),
      ['controller/main.ts', 'demo', '--timeout', '90'],
      { cwd: repoRoot, env, timeout: 150_000 },
    );
    // Every example Ingress got the DNS name of an ALB that exists.
    const addresses = [...stdout.matchAll(/^ {2}Ingress (\S+) {2}(\S+)$/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    assert.deepEqual(addresses.map(([key]) => key).sort(), [
      'default/edge',
      'default/nginx-ingress',
      'default/test-ingress',
      'shop/api',
      'shop/storefront',
    ]);
    for (const [key, address] of addresses) {
      assert.match(address ?? '', /\.elb\.amazonaws\.com$/, `${key ?? ''} has no address`);
      assert.ok(
        stdout.includes(`  ${address ?? ''}\n`),
        `no ALB in the emulator answers to ${address ?? ''}`,
      );
    }
    // The two members of the group "shop" share one ALB.
    const shop = addresses.filter(([key]) => key?.startsWith('shop/')).map(([, a]) => a);
    assert.equal(new Set(shop).size, 1);
    // The seed chapter's two Ingresses route as written, the rewrite included.
    assert.match(
      stdout,
      /host myservice\.example\.com and path \/somepath\|\/somepath\/\* → forward to k8s-default-service1-/,
    );
    assert.match(stdout, /path \/web\|\/web\/\* → forward to k8s-default-nginx-\S+ \(rewritten\)/);
    // Instance mode: each target group targets the three seeded nodes.
    for (const line of stdout.split('\n').filter((l) => l.includes('target group '))) {
      assert.equal((line.match(/i-[0-9a-f]+:\d+/g) ?? []).length, 3, line);
    }
  });
});
