/**
 * Which one of several resources found for one stack resource discovery keeps; the others
 * are duplicates (ActualStack.duplicates), which the planner removes once nothing uses
 * them (pkg/plan/plan-duplicates.ts). AWS makes a second copy when a create whose answer
 * was lost is sent again (the emulator even for the same name), or a person or another
 * tool creates one with our tags. The one kept is the one in use:
 *
 * - a load balancer: the one whose DNS name the members' `status.loadBalancer` shows
 *   (clients resolve that name), else the one with the most of our rules, then
 *   listeners, else the oldest (CreatedTime);
 * - a listener (two of ours on one port of our load balancer): the one with the most of
 *   our rules; the planner recreates on it the rules that are only on the other;
 * - a rule (two of ours with one `albatross.dev/resource` id on one listener, i.e. the
 *   same rule created twice): the one at the lowest priority, the one ALB evaluates first;
 * - a target group: the one our listeners and rules forward to most, else the one with
 *   the most targets; rules forwarding to another are re-pointed by the planner;
 * - a security group: the one the load balancer uses.
 *
 * The last tie-break is the ARN (group id), so every reconcile picks the same. Pure: the
 * reads are done by the caller.
 */
import type { Action as SdkAction } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ReadListener, ReadLoadBalancer } from './discover-load-balancer.ts';

/** One of several found for one stack resource: the one kept, the extras, and why. */
export interface Kept<T> {
  readonly kept: T;
  readonly extras: readonly T[];
  /** Why `kept` is the one kept, for the plan's reason and the Event. */
  readonly because: string;
}

/** Higher scores win; the first criterion that tells the candidates apart decides. */
export interface Criterion<T> {
  readonly score: (candidate: T) => number;
  readonly because: string;
}

/**
 * Keeps one of `candidates` (two or more): narrowed criterion by criterion, then the
 * lowest `key` among those still equal.
 */
export function keepOne<T>(
  candidates: readonly T[],
  criteria: readonly Criterion<T>[],
  key: (candidate: T) => string,
  byKey = 'the first by ARN',
): Kept<T> {
  let pool = [...candidates];
  let because = '';
  for (const criterion of criteria) {
    const best = Math.max(...pool.map(criterion.score));
    const narrowed = pool.filter((candidate) => criterion.score(candidate) === best);
    if (narrowed.length < pool.length && because === '') because = criterion.because;
    pool = narrowed;
  }
  const [kept] = [...pool].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (kept === undefined) throw new RangeError('keepOne needs at least one candidate');
  return {
    kept,
    extras: candidates.filter((candidate) => candidate !== kept),
    because: because === '' ? byKey : because,
  };
}

/**
 * `items` grouped by `keyOf`: each group of one is kept as is, each larger group split by
 * `choose`. The order of `items` is kept for the ones kept.
 */
export function splitDuplicates<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  choose: (group: readonly T[]) => Kept<T>,
): { readonly kept: readonly T[]; readonly duplicates: readonly Kept<T>[] } {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  const keep = new Set<T>();
  const duplicates: Kept<T>[] = [];
  for (const group of groups.values()) {
    const [only] = group;
    if (group.length === 1 && only !== undefined) {
      keep.add(only);
      continue;
    }
    const split = choose(group);
    keep.add(split.kept);
    duplicates.push(split);
  }
  return { kept: items.filter((item) => keep.has(item)), duplicates };
}

function ruleCount(lb: ReadLoadBalancer): number {
  return lb.listeners.reduce((n, listener) => n + listener.rules.length, 0);
}

/** `addresses`: the hostnames the members' status shows, lower-cased. */
export function keepLoadBalancer(
  candidates: readonly ReadLoadBalancer[],
  addresses: ReadonlySet<string>,
): Kept<ReadLoadBalancer> {
  return keepOne(
    candidates,
    [
      {
        score: (c) => (addresses.has((c.lb.DNSName ?? '').toLowerCase()) ? 1 : 0),
        because: 'the Ingress status shows its DNS name',
      },
      { score: ruleCount, because: 'it holds the most of our rules' },
      { score: (c) => c.listeners.length, because: 'it has the most of our listeners' },
      {
        score: (c) => -(c.lb.CreatedTime?.getTime() ?? Number.MAX_SAFE_INTEGER),
        because: 'it is the oldest',
      },
    ],
    (c) => c.arn,
  );
}

/** Of our listeners on one port. */
export function keepListener(candidates: readonly ReadListener[]): Kept<ReadListener> {
  return keepOne(
    candidates,
    [{ score: (c) => c.rules.length, because: 'it holds the most of our rules' }],
    (c) => c.arn,
  );
}

/** Of our rules with one id on one listener. */
export function keepRule<T extends { readonly arn: string; readonly priority: number }>(
  candidates: readonly T[],
): Kept<T> {
  return keepOne(
    candidates,
    [{ score: (c) => -c.priority, because: 'the lowest priority: the one that matches' }],
    (c) => c.arn,
  );
}

/**
 * `wanted`: the names the desired stack gives its target groups. A replace (create the
 * new name, re-point the rules, delete the old) cut between its steps leaves two groups
 * for one resource; keeping the one named as desired finishes it — the rules are
 * re-pointed and the old one goes — where keeping the one in use would delete the new
 * one and create it again (docs/decisions/0019-interrupted-replace.md).
 * `forwards`: how many of our listeners' and rules' forwards name each target group ARN.
 */
export function keepTargetGroup<
  T extends {
    readonly arn: string;
    readonly name: string;
    readonly targets: readonly unknown[];
  },
>(
  candidates: readonly T[],
  forwards: ReadonlyMap<string, number>,
  wanted: ReadonlySet<string> = new Set(),
): Kept<T> {
  return keepOne(
    candidates,
    [
      {
        score: (c) => (wanted.has(c.name) ? 1 : 0),
        because: 'it has the name the desired stack gives it (a replace left unfinished)',
      },
      { score: (c) => forwards.get(c.arn) ?? 0, because: 'our rules forward to it' },
      { score: (c) => c.targets.length, because: 'it has the most targets' },
    ],
    (c) => c.arn,
  );
}

/** `used`: the security groups of the kept load balancer. */
export function keepSecurityGroup<T extends { readonly groupId: string }>(
  candidates: readonly T[],
  used: ReadonlySet<string>,
): Kept<T> {
  return keepOne(
    candidates,
    [{ score: (c) => (used.has(c.groupId) ? 1 : 0), because: 'the load balancer uses it' }],
    (c) => c.groupId,
    'the first by group id',
  );
}

/** The target group ARNs `actions` forward to, once per mention. */
export function forwardedArns(actions: readonly SdkAction[] | undefined): string[] {
  return (actions ?? []).flatMap((action) => {
    const tuples = (action.ForwardConfig?.TargetGroups ?? []).flatMap((t) =>
      t.TargetGroupArn === undefined ? [] : [t.TargetGroupArn],
    );
    if (tuples.length > 0) return tuples;
    return action.TargetGroupArn === undefined ? [] : [action.TargetGroupArn];
  });
}
