/**
 * The removal of duplicates (ActualStack.duplicates). Discovery found a stack resource
 * more than once, kept one in the actual stack and lists the extras. Whatever used an
 * extra differs from the desired stack, so the rest of the planner already moves it onto
 * the kept one as an ordinary change: a rule or default action forwarding to a duplicate
 * target group is modified, a load balancer using a duplicate security group is set to
 * the kept one, a rule that exists only on a duplicate listener is created on the kept
 * listener. This plans the deletes, each placed where nothing uses the extra any more:
 *
 * - a duplicate rule first: it is the kept rule's twin at a later priority, so it never
 *   matches a request (the kept one matches first), and the rule steps that follow do not
 *   know its priority, so it must be free before they run;
 * - a duplicate load balancer first too: its DNS name is not the one the Ingresses
 *   publish (the kept one's is), and a target group serves one load balancer only, so the
 *   extra lets go of ours before the kept one's listeners forward to them;
 * - a duplicate listener with the listener deletes, after its rules were recreated on
 *   the kept one;
 * - a duplicate target group with the target group deletes, after what forwarded to it
 *   was re-pointed;
 * - a duplicate security group with the security group deletes, after the load balancer
 *   was set to the kept one (or deleted).
 *
 * Frozen members are left alone as the planner leaves them: their rules are not
 * re-pointed, so a duplicate target group of theirs stays, and so does a duplicate
 * listener holding their rules. Their duplicate rule is the exception: it never matches a
 * request, so deleting it changes no routing.
 */
import type { ActualDuplicate, ActualStack } from '../model/index.ts';
import type { DuplicateDeleteStep, PlannedChange } from './plan-types.ts';

export interface DuplicatesInput {
  readonly found: ActualStack;
  /** Members with an error: nothing of theirs changes. */
  readonly frozen: ReadonlySet<string>;
  /** The kept load balancer is replaced: its listeners, duplicates included, go with it. */
  readonly loadBalancerReplaced: boolean;
  /** The kept load balancer stays as it is (only frozen members hold it). */
  readonly loadBalancerFrozen: boolean;
}

export interface DuplicatesPlan {
  /** Before every other step. */
  readonly first: readonly PlannedChange[];
  readonly listeners: readonly DuplicateDeleteStep<'Listener'>[];
  readonly targetGroups: readonly DuplicateDeleteStep<'TargetGroup'>[];
  readonly securityGroups: readonly DuplicateDeleteStep<'SecurityGroup'>[];
}

function reasonOf(duplicate: ActualDuplicate): string {
  return `duplicate of ${duplicate.keptArn} (kept: ${duplicate.keptBecause})`;
}

/** What every duplicate's delete step says; the kind and its actual are added per kind. */
function common(duplicate: ActualDuplicate) {
  return {
    op: 'delete',
    step: 'delete-duplicate',
    id: duplicate.actual.id,
    reason: reasonOf(duplicate),
    keptArn: duplicate.keptArn,
  } as const;
}

export function planDuplicates(input: DuplicatesInput): DuplicatesPlan {
  const { found, frozen } = input;
  const loadBalancers: PlannedChange[] = [];
  const rules: PlannedChange[] = [];
  const listeners: DuplicateDeleteStep<'Listener'>[] = [];
  const targetGroups: DuplicateDeleteStep<'TargetGroup'>[] = [];
  const securityGroups: DuplicateDeleteStep<'SecurityGroup'>[] = [];
  const usedByFrozenLoadBalancer = new Set(
    input.loadBalancerFrozen
      ? (found.loadBalancer?.securityGroups ?? []).flatMap((ref) =>
          ref.kind === 'listed' ? [ref.entry] : [],
        )
      : [],
  );
  const ordered = [...(found.duplicates ?? [])].sort((a, b) =>
    a.actual.id === b.actual.id ? 0 : a.actual.id < b.actual.id ? -1 : 1,
  );
  for (const duplicate of ordered) {
    switch (duplicate.kind) {
      case 'ListenerRule':
        rules.push({ ...common(duplicate), kind: duplicate.kind, actual: duplicate.actual });
        break;
      case 'LoadBalancer':
        loadBalancers.push({
          ...common(duplicate),
          kind: duplicate.kind,
          actual: duplicate.actual,
        });
        break;
      case 'Listener':
        if (input.loadBalancerReplaced) break;
        if (duplicate.rules.some((rule) => frozen.has(rule.member))) break;
        listeners.push({ ...common(duplicate), kind: duplicate.kind, actual: duplicate.actual });
        break;
      case 'TargetGroup':
        if (frozen.has(duplicate.actual.member)) break;
        targetGroups.push({ ...common(duplicate), kind: duplicate.kind, actual: duplicate.actual });
        break;
      case 'SecurityGroup':
        if (usedByFrozenLoadBalancer.has(duplicate.actual.groupId)) break;
        securityGroups.push({
          ...common(duplicate),
          kind: duplicate.kind,
          actual: duplicate.actual,
        });
        break;
    }
  }
  return { first: [...loadBalancers, ...rules], listeners, targetGroups, securityGroups };
}
