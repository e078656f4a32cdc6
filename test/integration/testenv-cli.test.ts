/**
 * `npm run testenv:up` / `testenv:down` as a person or script uses them: `up` prints the
 * export lines and writes them to the env file; `down` leaves no process behind.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../env/paths.ts';
import { isAlive } from '../env/process.ts';
import { readState } from '../env/testenv.ts';

const run = promisify(execFile);

describe('testenv command line', () => {
  it('starts a reachable environment, prints its exports, and stops it without leftovers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'albatross-cli-'));
    const env: NodeJS.ProcessEnv = { ...process.env, ALBATROSS_TESTENV_DIR: dir };
    delete env.ALBATROSS_TESTENV_STATE;
    try {
      const up = await run(join(repoRoot, 'scripts/node'), ['test/env/cli.ts', 'up'], {
        cwd: repoRoot,
        env,
      });
      const exported: Record<string, string> = {};
      for (const m of up.stdout.matchAll(/^export (\w+)=(.*)$/gm)) {
        if (m[1] !== undefined && m[2] !== undefined) exported[m[1]] = m[2];
      }
      for (const key of [
        'KUBECONFIG',
        'AWS_ENDPOINT_URL',
        'AWS_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'ALBATROSS_CLUSTER_NAME',
        'ALBATROSS_VPC_ID',
      ]) {
        assert.ok(exported[key], `export line for ${key} missing from:\n${up.stdout}`);
      }
      assert.equal(readFileSync(join(dir, 'env'), 'utf8'), up.stdout);
      assert.match(exported.ALBATROSS_VPC_ID ?? '', /^vpc-/);

      const state = readState(join(dir, 'state.json'));
      assert.deepEqual(state.pids.map((p) => p.name).sort(), ['etcd', 'kube-apiserver', 'moto']);
      assert.ok(state.pids.every((p) => isAlive(p.pid)));
      const moto = await fetch(`${exported.AWS_ENDPOINT_URL ?? ''}/moto-api/`);
      assert.equal(moto.status, 200);

      await run(join(repoRoot, 'scripts/node'), ['test/env/cli.ts', 'down'], {
        cwd: repoRoot,
        env,
      });
      assert.deepEqual(
        state.pids.filter((p) => isAlive(p.pid)).map((p) => p.name),
        [],
      );
    } finally {
      await run(join(repoRoot, 'scripts/node'), ['test/env/cli.ts', 'down'], {
        cwd: repoRoot,
        env,
      }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what to install when provisioning finds no Go toolchain', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'albatross-nocache-'));
    try {
      // An empty cache forces a build; a PATH without Go makes it impossible.
      const env = {
        PATH: '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        ALBATROSS_CACHE_DIR: cache,
      };
      const failed = await run(join(repoRoot, 'test/env/provision.sh'), [], { env }).then(
        () => undefined,
        (err: unknown) => err as { code?: number; stderr?: string },
      );
      assert.ok(failed, 'provisioning without Go must fail');
      assert.notEqual(failed.code, 0);
      assert.match(
        failed.stderr ?? '',
        /'go' is required to provision the test environment: install Go 1\.24 or newer/,
      );
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
