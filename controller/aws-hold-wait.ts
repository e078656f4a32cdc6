/**
 * How a group waits for AWS to let go of a resource it still holds (a security group its
 * deleted ALB's interfaces linger on, a target group a rule still forwards to): a
 * requeue after a bounded, growing delay, not the error back-off (which climbs to 5 min
 * and would leave the group unreconciled long after AWS let go), and not a tight loop.
 * EC2's guidance for eventual consistency is the same shape: "starting with a couple of
 * seconds of wait time, and increasing gradually up to a few minutes".
 * See docs/decisions/0016-waiting-for-aws-to-let-go.md.
 */
import type { AwsHold } from '../pkg/deploy/index.ts';
import { holdMessage } from '../pkg/deploy/index.ts';
import { formatDuration } from './duration.ts';

export const holdWait = {
  /** The first requeue after AWS held a delete. */
  firstMs: 5_000,
  /** Doubling up to this: AWS's ENIs go within minutes, and we want to see it soon. */
  maxMs: 20_000,
  /** After this long, a hold is probably not AWS's lag (a rule outside Albatross): poll slower. */
  patientAfterMs: 600_000,
  patientMs: 60_000,
  /** After this long, the Event is a Warning: something may need a person. */
  warnAfterMs: 300_000,
} as const;

/** A group's current wait: since when, how many reconciles met a hold, and what was held. */
export interface HoldWait {
  readonly since: number;
  readonly attempts: number;
  readonly awsIds: ReadonlySet<string>;
}

/** The wait after one more reconcile that met `holds` (`previous` = the wait so far). */
export function nextHoldWait(
  previous: HoldWait | undefined,
  holds: readonly AwsHold[],
  now: number,
): HoldWait {
  return {
    since: previous?.since ?? now,
    attempts: (previous?.attempts ?? 0) + 1,
    awsIds: new Set(holds.map((h) => h.awsId)),
  };
}

/** The requeue delay of `wait`: 5 s, 10 s, then 20 s; 60 s once it lasted 10 min. */
export function holdDelayMs(wait: HoldWait, now: number): number {
  if (now - wait.since >= holdWait.patientAfterMs) return holdWait.patientMs;
  return Math.min(holdWait.maxMs, holdWait.firstMs * 2 ** Math.max(0, wait.attempts - 1));
}

export interface HoldEvent {
  readonly type: 'Normal' | 'Warning';
  readonly message: string;
}

/**
 * `security group sg-… still in use by AWS (DependencyViolation); retrying in 20s`, a
 * Normal Event; a Warning once the wait passed 5 min, saying for how long.
 */
export function holdEvent(
  holds: readonly AwsHold[],
  wait: HoldWait,
  delayMs: number,
  now: number,
): HoldEvent {
  const what = holds.map(holdMessage).join('; ');
  const waited = now - wait.since;
  // Whole minutes: identical Events are counted, not repeated, within a minute.
  const minutes = Math.floor(waited / 60_000) * 60_000;
  const retry = `retrying in ${formatDuration(delayMs)}`;
  if (waited < holdWait.warnAfterMs) return { type: 'Normal', message: `${what}; ${retry}` };
  return {
    type: 'Warning',
    message: `${what}; waiting for ${formatDuration(minutes)}, longer than AWS usually takes: something outside Albatross may still use it; ${retry}`,
  };
}
