/**
 * Leader election against the real API server: one Lease, several electors, short
 * durations (lease 3 s, renew 2 s, retry 0.5 s) so takeovers happen within a test.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../../env/testenv.ts';
import {
  LeaderElector,
  kubeLeaseClient,
  type LeaderElectionOptions,
} from '../../../controller/leader-election.ts';

const timing = { leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 500 } as const;

interface Candidate {
  readonly name: string;
  readonly elector: LeaderElector;
  readonly stop: AbortController;
  readonly done: Promise<'cancelled' | 'lost'>;
  /** What the callbacks saw, and when this candidate started leading. */
  readonly seen: { readonly events: string[]; ledAt: number | undefined };
}

describe('leader election on a Lease', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let namespace: string;
  const running: Candidate[] = [];

  before(async () => {
    env = testEnv.env;
    namespace = await env.freshNamespace('lease');
  });

  after(async () => {
    for (const c of running) c.stop.abort();
    await Promise.all(running.map((c) => c.done));
  });

  function candidate(
    name: string,
    leaseName: string,
    extra: Partial<LeaderElectionOptions> = {},
  ): Candidate {
    const stop = new AbortController();
    const seen: Candidate['seen'] = { events: [], ledAt: undefined };
    const elector = new LeaderElector({
      lease: kubeLeaseClient(env.kc, namespace, leaseName),
      leaseName,
      identity: name,
      ...timing,
      onStartedLeading: () => {
        seen.events.push('started');
        seen.ledAt = Date.now();
      },
      onStoppedLeading: (reason) => seen.events.push(`stopped:${reason}`),
      ...extra,
    });
    const full: Candidate = { name, elector, stop, seen, done: elector.run(stop.signal) };
    running.push(full);
    return full;
  }

  async function waitFor(what: string, condition: () => boolean, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!condition()) {
      if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
      await delay(50);
    }
  }

  async function holder(leaseName: string): Promise<string | undefined> {
    const lease = await env.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: leaseName, namespace });
    return lease.spec?.holderIdentity;
  }

  it('GIVEN two electors on one Lease WHEN both campaign THEN exactly one leads and the Lease names it', async () => {
    const lease = `one-${randomBytes(3).toString('hex')}`;
    const a = candidate('a', lease);
    const b = candidate('b', lease);
    await waitFor('a leader', () => a.elector.isLeader() || b.elector.isLeader(), 5000);
    // Several renew periods later there is still exactly one.
    await delay(4 * timing.retryPeriodMs);
    const leaders = [a, b].filter((c) => c.elector.isLeader());
    assert.equal(leaders.length, 1);
    assert.equal(await holder(lease), leaders[0]?.name);
    const follower = leaders[0] === a ? b : a;
    assert.deepEqual(follower.seen.events, []);
    assert.equal(follower.elector.observedLeader, leaders[0]?.name);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('GIVEN a leader WHEN it is cancelled THEN it releases the Lease and the follower leads within the retry period', async () => {
    const lease = `release-${randomBytes(3).toString('hex')}`;
    const first = candidate('first', lease);
    await waitFor('first to lead', () => first.elector.isLeader(), 5000);
    const second = candidate('second', lease);
    await delay(2 * timing.retryPeriodMs);
    assert.equal(second.elector.isLeader(), false);

    const releasedAt = Date.now();
    first.stop.abort();
    assert.equal(await first.done, 'cancelled');
    assert.deepEqual(first.seen.events, ['started', 'stopped:cancelled']);
    await waitFor('second to lead', () => second.elector.isLeader(), 5000);
    const takeover = (second.seen.ledAt ?? 0) - releasedAt;
    // Retry period with client-go's 1.2 jitter, plus API round trips.
    assert.ok(takeover < timing.retryPeriodMs * 1.2 + 500, `took over after ${takeover} ms`);
    assert.equal(await holder(lease), 'second');
    second.stop.abort();
    await second.done;
  });

  it('GIVEN a leader WHEN it dies without releasing THEN the follower leads within lease duration + retry', async () => {
    const lease = `killed-${randomBytes(3).toString('hex')}`;
    const doomed = candidate('doomed', lease, { releaseOnCancel: false });
    await waitFor('doomed to lead', () => doomed.elector.isLeader(), 5000);
    const heir = candidate('heir', lease);
    await delay(2 * timing.retryPeriodMs);
    assert.equal(heir.elector.isLeader(), false);

    const killedAt = Date.now();
    doomed.stop.abort();
    await doomed.done;
    assert.equal(await holder(lease), 'doomed', 'a killed leader leaves the Lease as it was');
    await waitFor(
      'heir to lead',
      () => heir.elector.isLeader(),
      timing.leaseDurationMs + 3 * timing.retryPeriodMs,
    );
    const takeover = (heir.seen.ledAt ?? 0) - killedAt;
    assert.ok(
      takeover <= timing.leaseDurationMs + timing.retryPeriodMs * 1.2 + 500,
      `took over after ${takeover} ms`,
    );
    assert.ok(
      takeover >= timing.leaseDurationMs - 2 * timing.retryPeriodMs,
      `too early: ${takeover} ms`,
    );
    assert.equal(await holder(lease), 'heir');
    heir.stop.abort();
    await heir.done;
  });

  it('GIVEN a leader WHEN it cannot renew before the deadline THEN it stops leading with reason lost', async () => {
    const lease = `lost-${randomBytes(3).toString('hex')}`;
    const real = kubeLeaseClient(env.kc, namespace, lease);
    let partitioned = false;
    const flaky = {
      read: () => (partitioned ? Promise.reject(new Error('partitioned')) : real.read()),
      create: (lease: V1Lease) => real.create(lease),
      replace: (lease: V1Lease) => real.replace(lease),
    };
    const lonely = candidate('lonely', lease, { lease: flaky });
    await waitFor('lonely to lead', () => lonely.elector.isLeader(), 5000);
    partitioned = true;
    const cutAt = Date.now();
    assert.equal(await lonely.done, 'lost');
    const lostAfter = Date.now() - cutAt;
    assert.deepEqual(lonely.seen.events, ['started', 'stopped:lost']);
    assert.ok(lostAfter <= timing.renewDeadlineMs + timing.retryPeriodMs + 500, `${lostAfter} ms`);
  });
});
