/**
 * When a reconcile may trust what the last quiet reconcile found, and when it must read
 * AWS in full. The full read and the cheap check are stand-ins that count their calls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../../pkg/aws/index.ts';
import {
  changesVouchedState,
  DiscoveryCache,
  listenerArnOf,
  stackFingerprint,
} from '../../../pkg/deploy/index.ts';
import type { DeployContext, Drift } from '../../../pkg/deploy/index.ts';
import type { ActualStack } from '../../../pkg/model/index.ts';
import type { Plan } from '../../../pkg/plan/index.ts';
import { asApplied, stack as builtStack } from '../plan/builders.ts';

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

describe('DiscoveryCache after a restart', () => {
  const desired = { ...builtStack({ backendRules: [] }), id: 'ns/app' };
  const lbArn =
    'arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/k8s-app/0123456789abcdef';
  /** As an apply leaves it, with ARNs of AWS's shapes (the tag holds the listener ids). */
  const rebuilt = (): ActualStack => {
    const applied = asApplied(desired);
    const lb = applied.loadBalancer;
    assert.ok(lb !== null);
    return {
      ...applied,
      loadBalancer: { ...lb, arn: lbArn },
      listeners: applied.listeners.map((l) => ({
        ...l,
        arn: listenerArnOf(lbArn, 'fedcba9876543210'),
      })),
      securityGroups: applied.securityGroups.map((g) => ({ ...g, groupId: 'sg-0abc' })),
    };
  };

  function restarted(options: { usable: boolean; u?: number; interval?: number }) {
    const counts = { full: 0, restore: 0, add: 0, remove: 0 };
    const state = { now: 10_000_000, usable: options.usable, refuse: false };
    const hints: unknown[] = [];
    const indexed = new Map([['arn:lb', { 'albatross.dev/applied': 'stale' }]]);
    const cache = new DiscoveryCache({
      fullDiscoveryIntervalMs: options.interval ?? 1000,
      now: () => state.now,
      random: () => options.u ?? 0.25,
      discover: (_ctx, id, h) => {
        counts.full += 1;
        hints.push(h);
        return Promise.resolve(stack(id));
      },
      verify: () => Promise.resolve(null),
      restore: () => {
        counts.restore += 1;
        return Promise.resolve(
          state.usable
            ? { stack: rebuilt(), tagValue: 'as written' }
            : { unusable: 'the applied tag is of another desired stack', indexed },
        );
      },
      tags: {
        add: () => {
          if (state.refuse) {
            return Promise.reject(new AwsError('AddTags', 'TooManyTags', 'too many', false));
          }
          counts.add += 1;
          return Promise.resolve();
        },
        remove: () => {
          counts.remove += 1;
          return Promise.resolve();
        },
      },
    });
    return { cache, counts, state, hints, indexed };
  }

  it('GIVEN a tag that matches WHEN a fresh cache discovers THEN the rebuilt stack counts as verified, with no full read', async () => {
    const h = restarted({ usable: true });
    const found = await h.cache.discover(ctx, 'ns/app', 'f1', { desired });
    assert.equal(found.kind, 'verified');
    assert.equal(found.actual?.loadBalancer?.arn, rebuilt().loadBalancer?.arn);
    assert.deepEqual([h.counts.full, h.counts.restore], [0, 1]);
    // WHEN it settles THEN the next reconcile is a plain cheap check, not another rebuild
    h.cache.settle('ns/app', 'f1', found);
    assert.equal((await h.cache.discover(ctx, 'ns/app', 'f1', { desired })).kind, 'verified');
    assert.equal(h.counts.restore, 1);
  });

  it('GIVEN a tag that does not match WHEN a fresh cache discovers THEN it reads in full, reusing the tagging call', async () => {
    const h = restarted({ usable: false });
    const found = await h.cache.discover(ctx, 'ns/app', 'f1', { desired });
    assert.deepEqual(
      [found.kind, found.reason],
      ['full', 'first (the applied tag is of another desired stack)'],
    );
    assert.equal(h.counts.full, 1);
    assert.equal((h.hints[0] as { indexed?: unknown }).indexed, h.indexed);
  });

  it('GIVEN no desired stack (a group being deleted) WHEN discovering THEN nothing is rebuilt', async () => {
    const h = restarted({ usable: true });
    assert.equal((await h.cache.discover(ctx, 'ns/app', 'f1')).kind, 'full');
    assert.equal(h.counts.restore, 0);
  });

  it('GIVEN a rebuilt stack WHEN asked when the full read is due THEN it is (1 − U)·interval away', async () => {
    const h = restarted({ usable: true, u: 0.25 });
    const found = await h.cache.discover(ctx, 'ns/app', 'f1', { desired });
    assert.equal(found.fullAt, h.state.now - 250);
    h.cache.settle('ns/app', 'f1', found);
    assert.equal(h.cache.fullDueInMs('ns/app'), 750);
    h.state.now += 750;
    assert.deepEqual((await h.cache.discover(ctx, 'ns/app', 'f1', { desired })).reason, 'interval');
  });

  it('GIVEN 1,000 groups rebuilt at one restart WHEN their full reads fall due THEN all within one interval, spread over it', async () => {
    const interval = 86_400_000;
    let seed = 7;
    const random = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const cache = new DiscoveryCache({
      fullDiscoveryIntervalMs: interval,
      now: () => 0,
      random,
      discover: (_ctx, id) => Promise.resolve(stack(id)),
      restore: (_ctx, d) =>
        Promise.resolve({ stack: { ...asApplied(d), id: d.id }, tagValue: 'v' }),
    });
    const due: number[] = [];
    for (let i = 0; i < 1000; i += 1) {
      const id = `ns/app-${String(i)}`;
      const found = await cache.discover(ctx, id, 'f', { desired: { ...desired, id } });
      cache.settle(id, 'f', found);
      due.push(cache.fullDueInMs(id));
    }
    assert.ok(due.every((d) => d > 0 && d <= interval));
    // No herd: no hour of the day holds more than three times its share.
    const perHour = new Array<number>(24).fill(0);
    for (const d of due) {
      const hour = Math.min(23, Math.floor(d / 3_600_000));
      perHour[hour] = (perHour[hour] ?? 0) + 1;
    }
    assert.ok(Math.max(...perHour) < (3 * 1000) / 24, JSON.stringify(perHour));
  });

  it('GIVEN a kept stack WHEN recorded twice THEN the tag is written once; a plan that changes it removes it first', async () => {
    const h = restarted({ usable: false });
    const found = await h.cache.discover(ctx, 'ns/app', stackFingerprint(desired), { desired });
    h.cache.settleApplied('ns/app', stackFingerprint(desired), rebuilt(), found, 0);
    assert.equal(await h.cache.record(ctx, 'ns/app'), true);
    assert.equal(await h.cache.record(ctx, 'ns/app'), false);
    assert.equal(h.counts.add, 1);
    const update = [{ op: 'update', kind: 'ListenerRule', id: 'r' }] as unknown as Plan;
    const targetsOnly = [{ op: 'update', kind: 'Targets', id: 'tg' }] as unknown as Plan;
    assert.equal(await h.cache.withdraw(ctx, 'ns/app', rebuilt(), targetsOnly), false);
    assert.equal(await h.cache.withdraw(ctx, 'ns/app', rebuilt(), update), true);
    // Removed once: nothing is left to remove.
    assert.equal(await h.cache.withdraw(ctx, 'ns/app', rebuilt(), update), false);
    assert.equal(h.counts.remove, 1);
  });

  it('GIVEN AWS refuses the tag (too many tags) WHEN recorded THEN the reconcile goes on and it is not retried', async () => {
    const h = restarted({ usable: false });
    h.state.refuse = true;
    const found = await h.cache.discover(ctx, 'ns/app', stackFingerprint(desired), { desired });
    h.cache.settleApplied('ns/app', stackFingerprint(desired), rebuilt(), found, 0);
    assert.equal(await h.cache.record(ctx, 'ns/app'), false);
    h.state.refuse = false;
    assert.equal(await h.cache.record(ctx, 'ns/app'), false);
    assert.equal(h.counts.add, 0);
  });

  it('GIVEN a plan deleting the load balancer WHEN asked THEN the tag is not removed first (it goes with it)', () => {
    const del = [{ op: 'delete', kind: 'LoadBalancer', step: 'delete', id: 'LoadBalancer' }];
    assert.equal(changesVouchedState(del as unknown as Plan), false);
    const dup = [{ op: 'delete', kind: 'LoadBalancer', step: 'delete-duplicate', id: 'x' }];
    assert.equal(changesVouchedState(dup as unknown as Plan), true);
  });
});
