/**
 * The drift bound the README promises: an unchanged group is read in full at least every
 * `--full-discovery-interval`, whatever `--sync-period` is. Simulated with the defaults
 * (sync 10 h with its 10 % jitter, interval 24 h) over a month on a fake clock, with the
 * real work queue, periodic resync, result handling and discovery cache; only the AWS
 * reads are stand-ins that record when a full read happened. The reconcile asks to come
 * back when its full read falls due, as controller/reconciler.ts does.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handleResult, type ReconcileResult } from '../../../controller/handle-result.ts';
import { applyQueueAction } from '../../../controller/manager.ts';
import { runResync } from '../../../controller/resync.ts';
import { WorkQueue } from '../../../controller/work-queue.ts';
import { DiscoveryCache } from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import { FakeClock } from './fake-clock.ts';

const HOUR = 3_600_000;
const SYNC_PERIOD = 10 * HOUR;
const INTERVAL = 24 * HOUR;
const STEP = 5 * 60_000;
const ctx = { clusterName: 'c', vpcId: 'vpc-1' } as unknown as DeployContext;

/** The largest gap between two full reads of one group over `days`. */
async function worstGap(options: { requeueWhenDue: boolean; days: number }): Promise<number> {
  const clock = new FakeClock(0);
  const fullReads: number[] = [];
  const cache = new DiscoveryCache({
    fullDiscoveryIntervalMs: INTERVAL,
    now: () => clock.now(),
    discover: (_ctx, id) => {
      fullReads.push(clock.now());
      return Promise.resolve({
        id,
        loadBalancer: null,
        listeners: [],
        rules: [],
        targetGroups: [],
        securityGroups: [],
        backendRules: [],
      });
    },
    // The cheap check never sees the drift that only a full read repairs.
    verify: () => Promise.resolve(null),
  });
  const reconcile = async (key: string): Promise<ReconcileResult> => {
    const found = await cache.discover(ctx, key, 'unchanged');
    cache.settle(key, 'unchanged', found);
    const due = cache.fullDueInMs(key);
    return options.requeueWhenDue && due > 0
      ? { changesApplied: 0, requeueAfterMs: due }
      : { changesApplied: 0 };
  };
  const queue = new WorkQueue({ clock, random: () => 0.5 });
  const stop = new AbortController();
  // The worst jitter: every resync waits the longest it can (11 h).
  const resync = runResync(
    {
      periodMs: SYNC_PERIOD,
      keys: () => ['shop/web'],
      enqueue: (k) => {
        queue.add(k);
      },
      clock,
      random: () => 0.999_999,
    },
    stop.signal,
  );
  queue.add('shop/web');
  for (let t = 0; t < options.days * 24 * HOUR; t += STEP) {
    while (queue.length > 0) {
      const key = await queue.get();
      if (key === undefined) break;
      applyQueueAction(
        queue,
        key,
        handleResult({ kind: 'returned', result: await reconcile(key) }),
      );
      queue.done(key);
    }
    await clock.advance(STEP);
  }
  stop.abort();
  queue.shutDown();
  await clock.advance(SYNC_PERIOD * 2);
  await resync;
  assert.ok(fullReads.length > 2, 'the simulation read in full more than once');
  return Math.max(...fullReads.slice(1).map((t, i) => t - (fullReads[i] ?? 0)));
}

describe('full-discovery bound', () => {
  it('GIVEN the default sync period and interval WHEN a group stays unchanged for a month THEN it is read in full at least every interval', async () => {
    const gap = await worstGap({ requeueWhenDue: true, days: 30 });
    console.log(`worst gap between full reads: ${String(gap / HOUR)} h`);
    assert.ok(gap <= INTERVAL, `worst gap ${String(gap / HOUR)} h > 24 h`);
  });

  it('GIVEN only the resync to bring a group back THEN the gap would be interval + sync period (why the reconcile requeues itself)', async () => {
    const gap = await worstGap({ requeueWhenDue: false, days: 30 });
    console.log(`worst gap with the resync alone: ${String(gap / HOUR)} h`);
    assert.ok(gap > 30 * HOUR, `worst gap ${String(gap / HOUR)} h`);
  });
});
