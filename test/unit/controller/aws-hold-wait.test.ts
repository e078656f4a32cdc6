/**
 * Waiting for AWS to let go (controller/aws-hold-wait.ts): a bounded, growing requeue
 * delay while a delete is held, and the Event that says what the group waits for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AwsHold } from '../../../pkg/deploy/index.ts';
import { holdDelayMs, holdEvent, nextHoldWait } from '../../../controller/aws-hold-wait.ts';
import type { HoldWait } from '../../../controller/aws-hold-wait.ts';

const sg: AwsHold = {
  kind: 'SecurityGroup',
  id: 'sg/frontend',
  awsId: 'sg-0123',
  code: 'DependencyViolation',
};
const tg: AwsHold = {
  kind: 'TargetGroup',
  id: 'tg/web-80',
  awsId: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/k8s-web-1a2b/abcdef',
  code: 'ResourceInUse',
};

/** The waits of `n` reconciles in a row that met a hold, `stepMs` apart. */
function waits(n: number, stepMs: number): { wait: HoldWait; now: number }[] {
  const out: { wait: HoldWait; now: number }[] = [];
  let wait: HoldWait | undefined;
  for (let i = 0; i < n; i += 1) {
    const now = i * stepMs;
    wait = nextHoldWait(wait, [sg], now);
    out.push({ wait, now });
  }
  return out;
}

describe('waiting for AWS to let go', () => {
  it('requeues after 5 s, 10 s, then every 20 s: growing, bounded, never a tight loop', () => {
    const delays = waits(6, 20_000).map(({ wait, now }) => holdDelayMs(wait, now));
    assert.deepEqual(delays, [5_000, 10_000, 20_000, 20_000, 20_000, 20_000]);
  });

  it('a 130 s hold costs at most a dozen attempts and is seen within 20 s of its end', () => {
    // GIVEN AWS holds the group for 130 s, the first reconcile spending 1.4 s in-call
    let now = 1_400;
    let wait = nextHoldWait(undefined, [sg], now);
    let reconciles = 1;
    while (now < 130_000) {
      now += holdDelayMs(wait, now);
      reconciles += 1;
      if (now < 130_000) wait = nextHoldWait(wait, [sg], now);
    }
    // THEN the attempt that succeeds comes at most 20 s after AWS let go
    assert.ok(now - 130_000 <= 20_000, `seen ${String(now - 130_000)} ms late`);
    assert.ok(reconciles <= 10, `${String(reconciles)} reconciles`);
  });

  it('polls once a minute after 10 minutes: likely not AWS lag any more', () => {
    const wait = nextHoldWait(undefined, [tg], 0);
    assert.equal(holdDelayMs({ ...wait, attempts: 40 }, 600_000), 60_000);
  });

  it('keeps when the wait began and what is held', () => {
    const first = nextHoldWait(undefined, [sg, tg], 1_000);
    const second = nextHoldWait(first, [sg], 9_000);
    assert.equal(second.since, 1_000);
    assert.equal(second.attempts, 2);
    assert.deepEqual([...second.awsIds], ['sg-0123']);
  });

  it('the Event names what is held and when the next try is: Normal at first', () => {
    const wait = nextHoldWait(undefined, [sg, tg], 0);
    assert.deepEqual(holdEvent([sg, tg], wait, 20_000, 1_000), {
      type: 'Normal',
      message:
        'security group sg-0123 still in use by AWS (DependencyViolation); ' +
        'target group k8s-web-1a2b still in use by a listener or rule (ResourceInUse); ' +
        'retrying in 20s',
    });
  });

  it('a Warning once the wait passed 5 minutes, in whole minutes so repeats are counted', () => {
    const wait = nextHoldWait(undefined, [tg], 0);
    const event = holdEvent([tg], wait, 60_000, 6 * 60_000 + 12_345);
    assert.equal(event.type, 'Warning');
    assert.equal(
      event.message,
      'target group k8s-web-1a2b still in use by a listener or rule (ResourceInUse); ' +
        'waiting for 6m, longer than AWS usually takes: something outside Albatross may ' +
        'still use it; retrying in 1m',
    );
  });
});
