/**
 * SIGKILL at seeded random points of apply (see kills.ts): two singles and a group of
 * three go through create → edit → delete, each step killed at its Nth AWS write, and
 * after every kill a new controller leaves an audit-clean account within one resync,
 * with every finalizer held while its group's resources remained, and a steady state.
 * The soak (test/soak/kills.ts) runs the same with twenty kills and more Ingresses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import { controllerLauncher } from './controller-process.ts';
import { describeRecord, isClean, runKills } from './kills.ts';

const SEED = Number(process.env.ALBATROSS_KILL_SEED ?? 10);

describe('a controller SIGKILLed at random points of apply, then restarted', () => {
  const testEnv = useTestEnv();
  const launcher = controllerLauncher();
  after(() => launcher.stopAll());
  let env: TestEnv;

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
  });

  it('after each of 3 kills (create, edit, delete) the audit is clean within one resync', async () => {
    const run = await runKills(env, launcher, {
      kills: 3,
      seed: SEED,
      size: { singles: 2, groups: 1, members: 3 },
      log: (line) => {
        console.log(line);
      },
    });
    const landed = run.records.filter((r) => r.landing !== null);
    assert.ok(
      landed.length >= 3,
      `most kills landed: ${run.records.map(describeRecord).join('\n')}`,
    );
    for (const record of run.records) assert.ok(isClean(record), describeRecord(record));
  });
});
