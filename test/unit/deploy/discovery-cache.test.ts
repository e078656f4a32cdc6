/**
 * When a reconcile may trust what the last quiet reconcile found, and when it must read
 * AWS in full. The full read and the cheap check are stand-ins that count their calls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiscoveryCache } from '../../../pkg/deploy/index.ts';
import type { DeployContext, Drift } from '../../../pkg/deploy/index.ts';
import type { ActualStack } from '../../../pkg/model/index.ts';

const ctx = { clusterName: 'c', vpcId: 'vpc-1' } as unknown as DeployContext;

const stack = (id: string): ActualStack => ({
  id,
  loadBalancer: null,
  listeners: [],
  rules: [],
  targetGroups: [],
  securityGroups: [],
  backendRules: [],
});

function harness(options: { drift?: Drift; exists?: boolean } = {}) {
  const counts = { full: 0, verify: 0 };
  const state = { now: 0, drift: options.drift ?? null };
  const cache = new DiscoveryCache({
    fullDiscoveryIntervalMs: 1000,
    now: () => state.now,
    discover: (_ctx, id) => {
      counts.full += 1;
      return Promise.resolve(options.exists === false ? null : stack(id));
    },
    verify: () => {
      counts.verify += 1;
      return Promise.resolve(state.drift);
    },
  });
  /** One reconcile that planned nothing: discover, then settle. */
  const quiet = async (fingerprint = 'f1') => {
    const found = await cache.discover(ctx, 'ns/app', fingerprint);
    cache.settle('ns/app', fingerprint, found);
    return found;
  };
  return { cache, counts, state, quiet };
}

describe('DiscoveryCache', () => {
  it('reads in full the first time, then only verifies an unchanged group', async () => {
    const { counts, quiet } = harness();
    // GIVEN a first reconcile that planned nothing
    const first = await quiet();
    assert.deepEqual([first.kind, first.reason], ['full', 'first']);
    // WHEN the group is reconciled again with the same desired stack
    const second = await quiet();
    // THEN the settled stack is verified, not re-read
    assert.equal(second.kind, 'verified');
    assert.deepEqual(counts, { full: 1, verify: 1 });
  });

  const fullAgain: {
    name: string;
    between: (h: ReturnType<typeof harness>) => void;
    fingerprint?: string;
    reason: string;
  }[] = [
    {
      name: 'the desired stack changed',
      between: () => undefined,
      fingerprint: 'f2',
      reason: 'inputs changed',
    },
    {
      name: 'the full-discovery interval passed',
      between: (h) => {
        h.state.now = 1000;
      },
      reason: 'interval',
    },
    {
      name: 'the cheap check saw drift',
      between: (h) => {
        h.state.drift = 'rule r1 is gone';
      },
      reason: 'rule r1 is gone',
    },
    {
      name: 'the group was forgotten (an apply, a failure, a targets change)',
      between: (h) => {
        h.cache.forget('ns/app');
      },
      reason: 'first',
    },
  ];
  for (const c of fullAgain) {
    it(`reads in full again when ${c.name}`, async () => {
      const h = harness();
      // GIVEN a settled group
      await h.quiet();
      // WHEN something happens before the next reconcile
      c.between(h);
      const next = await h.quiet(c.fingerprint);
      // THEN that reconcile reads AWS in full and says why
      assert.deepEqual([next.kind, next.reason], ['full', c.reason]);
      assert.equal(h.counts.full, 2);
    });
  }

  it('still verifies just before the interval ends', async () => {
    const h = harness();
    await h.quiet();
    h.state.now = 999;
    assert.equal((await h.quiet()).kind, 'verified');
  });

  it('keeps the time of the full read, not of the last verification', async () => {
    const h = harness();
    await h.quiet();
    h.state.now = 600;
    assert.equal((await h.quiet()).kind, 'verified');
    h.state.now = 1000;
    assert.equal((await h.quiet()).reason, 'interval');
  });

  it('says when the next full read is due, from the last full read, through verifications and forgets', async () => {
    const h = harness();
    assert.equal(h.cache.fullDueInMs('ns/app'), 0, 'never read: due now');
    await h.quiet();
    h.state.now = 600;
    await h.quiet();
    assert.equal(h.cache.fullDueInMs('ns/app'), 400);
    h.cache.forget('ns/app');
    assert.equal(h.cache.fullDueInMs('ns/app'), 400, 'a forget reads nothing');
    h.state.now = 1200;
    assert.equal(h.cache.fullDueInMs('ns/app'), 0);
    h.cache.drop('ns/app');
    assert.equal(h.cache.fullDueInMs('ns/app'), 0);
  });

  it('does not keep a discovery that a forget overtook', async () => {
    const { cache, counts } = harness();
    // GIVEN a reconcile that discovered, WHEN the targets path forgets the group meanwhile
    const found = await cache.discover(ctx, 'ns/app', 'f1');
    cache.forget('ns/app');
    cache.settle('ns/app', 'f1', found);
    // THEN nothing is kept and the next reconcile reads in full
    assert.equal(cache.size, 0);
    assert.equal((await cache.discover(ctx, 'ns/app', 'f1')).kind, 'full');
    assert.equal(counts.full, 2);
  });

  it('keeps nothing for a stack that does not exist', async () => {
    const { cache, quiet } = harness({ exists: false });
    await quiet();
    assert.equal(cache.size, 0);
    assert.equal((await quiet()).kind, 'full');
  });
});
