import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from '../../../controller/work-queue.ts';
import { WorkerPool } from '../../../controller/workers.ts';
import { FakeClock, settle } from './fake-clock.ts';

function queue(clock = new FakeClock()): { q: WorkQueue; clock: FakeClock } {
  // random() = 0.5 puts jitter at exactly zero, so delays are exact.
  return { q: new WorkQueue({ clock, random: () => 0.5 }), clock };
}

describe('work queue', () => {
  it('GIVEN a key already queued WHEN it is added again THEN a worker gets it once', async () => {
    const { q } = queue();
    q.add('ns/a');
    q.add('ns/b');
    q.add('ns/a');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'ns/a');
    assert.equal(await q.get(), 'ns/b');
    assert.equal(q.length, 0);
  });

  it('GIVEN a key being processed WHEN it is added (even twice) THEN it is handed out again once, only after done', async () => {
    const { q } = queue();
    q.add('g');
    const key = await q.get();
    assert.equal(key, 'g');
    q.add('g');
    q.add('g');
    assert.equal(q.length, 0, 'not handed to a second worker while held');
    let second: string | undefined;
    void q.get().then((k) => (second = k));
    await settle();
    assert.equal(second, undefined);
    q.done('g');
    await settle();
    assert.equal(second, 'g');
    q.done('g');
    assert.equal(q.length, 0);
  });

  it('GIVEN N workers and one hot key WHEN it is added repeatedly THEN it is never processed by two workers at once', async () => {
    const { q } = queue();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const pool = new WorkerPool({
      queue: q,
      workers: 4,
      process: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((r) => setImmediate(r));
        active--;
      },
    });
    pool.start();
    for (let i = 0; i < 20; i++) {
      q.add('hot');
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(await pool.stop(1000), true);
    assert.equal(maxActive, 1);
    assert.ok(runs >= 2 && runs <= 20, `runs ${runs}`);
  });

  it('GIVEN repeated failures WHEN back-off is applied THEN the delay doubles from 1 s up to the 5 min cap, and forget resets it', () => {
    const { q } = queue();
    const delays = Array.from({ length: 11 }, () => q.addRateLimited('g'));
    assert.deepEqual(
      delays,
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300].map((s) => s * 1000),
    );
    assert.equal(q.numRequeues('g'), 11);
    q.forget('g');
    assert.equal(q.numRequeues('g'), 0);
    assert.equal(q.addRateLimited('g'), 1000);
  });

  it('GIVEN jitter WHEN random varies THEN delays stay within ±10 %', () => {
    const low = new WorkQueue({ clock: new FakeClock(), random: () => 0 });
    const high = new WorkQueue({ clock: new FakeClock(), random: () => 0.999999 });
    assert.equal(low.backoffDelay(3), 3600);
    assert.equal(high.backoffDelay(3), 4400);
  });

  it('GIVEN a failed key WHEN its back-off passes THEN it is queued again, not before', async () => {
    const { q, clock } = queue();
    q.addRateLimited('g');
    await clock.advance(999);
    assert.equal(q.length, 0);
    await clock.advance(1);
    assert.equal(q.length, 1);
  });

  it('GIVEN addAfter twice WHEN the later request is shorter THEN the earliest time wins', async () => {
    const { q, clock } = queue();
    q.addAfter('g', 5000);
    q.addAfter('g', 2000);
    q.addAfter('g', 8000);
    await clock.advance(2000);
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'g');
    q.done('g');
    await clock.advance(10_000);
    assert.equal(q.length, 0, 'the superseded timers do not add it again');
  });

  it('GIVEN addAfter 0 THEN the key is queued at once', () => {
    const { q } = queue();
    q.addAfter('g', 0);
    assert.equal(q.length, 1);
  });

  it('GIVEN a shut-down queue THEN waiting workers get undefined, adds are ignored and held-back timers are cancelled', async () => {
    const { q, clock } = queue();
    q.addAfter('later', 1000);
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('x');
    assert.equal(q.length, 0);
    assert.equal(clock.pending, 0);
    assert.equal(await q.get(), undefined);
  });
});

describe('worker pool shutdown', () => {
  it('GIVEN an in-flight key WHEN stopped THEN no new key is taken and the in-flight one finishes', async () => {
    const { q, clock } = queue();
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const pool = new WorkerPool({
      queue: q,
      workers: 1,
      clock,
      process: async (key) => {
        seen.push(key);
        if (key === 'slow') await new Promise<void>((r) => (release = r));
      },
    });
    pool.start();
    q.add('slow');
    await settle();
    q.add('next');
    const stopped = pool.stop(10_000);
    await settle();
    release();
    assert.equal(await stopped, true);
    assert.deepEqual(seen, ['slow']);
  });

  it('GIVEN a reconcile that ignores the drain WHEN the deadline passes THEN its signal is aborted and stop reports it', async () => {
    const { q, clock } = queue();
    let aborted = false;
    const pool = new WorkerPool({
      queue: q,
      workers: 2,
      clock,
      process: (_key, signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    pool.start();
    q.add('stuck');
    await settle();
    const stopped = pool.stop(5000);
    await clock.advance(4999);
    assert.equal(aborted, false);
    await clock.advance(1);
    assert.equal(await stopped, false);
    assert.equal(aborted, true);
    await pool.finished();
    assert.equal(q.inFlight().size, 0);
  });
});
