/**
 * The retry policy under sustained throttling, live: the emulator's buckets are set
 * below the controller's default client-side limits (as when another tool shares the
 * account), so a converge of 16 Ingresses in 4 groups is throttled again and again.
 * Everything still converges (every address set, a second reconcile writes nothing),
 * the controller's metrics say how many attempts were throttled and retried, and the
 * attempts stay bounded: never more than the SDK's 3 per call (no multiplication by the
 * eventual-consistency retry or the work queue).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTestEnv } from '../../env/testenv.ts';
import { convergeThrottled, formatThrottledReport } from '../../soak/throttled-converge.ts';

describe('converging under throttling', () => {
  const testEnv = useTestEnv();

  it('GIVEN AWS throttling below the client-side limits THEN 16 Ingresses converge, the metrics count the throttles and retries, attempts stay ≤ 3 per call', async () => {
    await testEnv.env.resetAws();
    const report = await convergeThrottled(testEnv.env, {
      ingresses: 16,
      groupSize: 4,
      throttle: {
        families: {
          'elbv2-account': { rate: 6, burst: 10 },
          'elbv2-write': { rate: 3, burst: 5 },
          'elbv2-register': { rate: 2, burst: 3 },
          'ec2-describe': { rate: 4, burst: 6 },
          'ec2-write': { rate: 3, burst: 4 },
          tagging: { rate: 3, burst: 4 },
        },
      },
      timeoutMs: 75_000,
    });
    console.log(formatThrottledReport(report));
    const emulatorThrottled = Object.values(report.emulator.throttled).reduce((a, b) => a + b, 0);
    assert.ok(emulatorThrottled > 0, 'the emulator throttled the converge');
    assert.equal(report.metrics.throttled, emulatorThrottled, 'the metric counts every throttle');
    assert.ok(report.metrics.retries > 0, 'the SDK retried throttled calls');
    assert.ok(
      report.worstAttemptsPerCall <= 3,
      `attempts per call ${String(report.worstAttemptsPerCall)}`,
    );
    assert.deepEqual(report.secondPassPlanned, [], 'converged: the second reconcile plans nothing');
    assert.equal(report.secondPassWrites, 0, 'no mutating call in steady state');
  });
});
