import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../../controller/log.ts';
import { runResync } from '../../../controller/resync.ts';
import { FakeClock } from './fake-clock.ts';

describe('periodic resync', () => {
  it('GIVEN a period with jitter WHEN time passes THEN every known key is enqueued once per (jittered) period, until stopped', async () => {
    const clock = new FakeClock();
    const enqueued: string[] = [];
    const stop = new AbortController();
    const done = runResync(
      {
        periodMs: 60_000,
        keys: () => ['a/x', 'b/y'],
        enqueue: (k) => enqueued.push(k),
        clock,
        random: () => 0.5, // 5 % of jitter: each wait is 63 s
      },
      stop.signal,
    );
    await clock.advance(62_999);
    assert.deepEqual(enqueued, []);
    await clock.advance(1);
    assert.deepEqual(enqueued, ['a/x', 'b/y']);
    await clock.advance(63_000);
    assert.equal(enqueued.length, 4);
    stop.abort();
    await done;
    await clock.advance(1_000_000);
    assert.equal(enqueued.length, 4);
  });
});

describe('structured logs', () => {
  it('GIVEN a child logger and a level WHEN lines are logged THEN each is one JSON object with time, level, msg and fields, filtered by level', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', write: (l) => lines.push(l), now: () => 0 });
    const child = log.child({ group: 'shop/web' });
    child.debug('hidden');
    child.warn('slow', { ms: 12, msg: 'cannot shadow' });
    log.reconcileLine('shop/web', 'success', 3, 41.6);
    log.error('failed', { error: new Error('outer', { cause: new Error('inner') }) });
    assert.ok(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n')));
    assert.deepEqual(
      lines.map((l) => JSON.parse(l) as unknown),
      [
        { time: '1970-01-01T00:00:00.000Z', level: 'warn', msg: 'slow', group: 'shop/web', ms: 12 },
        {
          time: '1970-01-01T00:00:00.000Z',
          level: 'info',
          msg: 'reconciled',
          group: 'shop/web',
          outcome: 'success',
          changesApplied: 3,
          durationMs: 42,
        },
        {
          time: '1970-01-01T00:00:00.000Z',
          level: 'error',
          msg: 'failed',
          error: { name: 'Error', message: 'outer', cause: { name: 'Error', message: 'inner' } },
        },
      ],
    );
  });
});
