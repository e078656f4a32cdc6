/**
 * A stack's load balancer and target groups, found so that a lagging tagging index can
 * neither fail discovery nor hide what exists (see lagging-index.ts):
 *
 * 1. the index proposes ARNs, and so do the hints (ARNs this controller saw or created);
 * 2. DescribeLoadBalancers and DescribeTargetGroups by ARN keep those that exist — an ARN
 *    deleted a moment ago but still indexed is dropped;
 * 3. a desired name none of them has is looked up by name (DescribeLoadBalancers Names=,
 *    DescribeTargetGroups Names=), so a resource created a moment ago and not indexed yet
 *    is found, not created twice (target groups only when something of the stack
 *    exists: a brand-new stack costs one DescribeLoadBalancers);
 * 4. whatever the index did not list gets its tags from DescribeTags, and is kept only
 *    when it carries our cluster and stack tags. A resource found by name without them
 *    is a DeployError: we never adopt, change or delete what is not ours.
 *
 * Reads, when the index is up to date and knows everything desired: the tagging call,
 * one DescribeLoadBalancers and ⌈T/20⌉ DescribeTargetGroups, as before. The by-name and
 * DescribeTags reads are spent only on what the index missed.
 */
import type {
  LoadBalancer as SdkLoadBalancer,
  TargetGroup as SdkTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Tags } from '../model/index.ts';
import { TAG_CLUSTER, TAG_STACK } from '../naming/index.ts';
import type { DeployContext } from './context.ts';
import {
  describeLoadBalancersByArn,
  describeTags,
  describeTargetGroupsByArn,
  findLoadBalancerByName,
  findTargetGroupsByName,
  isLoadBalancerArn,
  taggedResources,
} from './lagging-index.ts';
import { notOurs, ownedBy } from './ownership.ts';

/** What discovery is told besides the tagging index. */
export interface DiscoveryHints {
  /**
   * ARNs of the stack's load balancer and target groups as this controller last saw or
   * created them: found while the index does not list them yet (an Ingress deleted right
   * after its ALB was created).
   */
  readonly arns?: readonly string[];
  /** The desired load balancer's name: looked up when no load balancer of it is found. */
  readonly loadBalancerName?: string;
  /** The desired target groups' names: each one not found otherwise is looked up. */
  readonly targetGroupNames?: readonly string[];
  /**
   * The hostnames the group's members show in `status.loadBalancer`: of two load
   * balancers of the stack, the one clients resolve is kept (duplicates.ts).
   */
  readonly addresses?: readonly string[];
}

export interface StackResources {
  /** Usually one; more are duplicates, for discovery to choose among (by ARN). */
  readonly loadBalancers: readonly { readonly lb: SdkLoadBalancer; readonly tags: Tags }[];
  readonly targetGroups: readonly { readonly tg: SdkTargetGroup; readonly tags: Tags }[];
}

export async function findStackResources(
  ctx: DeployContext,
  stackId: string,
  hints: DiscoveryHints = {},
): Promise<StackResources> {
  const indexed = await taggedResources(ctx, [
    { Key: TAG_CLUSTER, Values: [ctx.clusterName] },
    { Key: TAG_STACK, Values: [stackId] },
  ]);
  const proposed = [...new Set([...indexed.keys(), ...(hints.arns ?? [])])];
  const lbArns = proposed.filter(isLoadBalancerArn);
  const tgArns = proposed.filter((arn) => !isLoadBalancerArn(arn));
  const [lbs, tgs] = await Promise.all([
    lbArns.length === 0 ? [] : describeLoadBalancersByArn(ctx, lbArns),
    tgArns.length === 0 ? [] : describeTargetGroupsByArn(ctx, tgArns),
  ]);

  const lbName = hints.loadBalancerName;
  const lookUpLb = lbName !== undefined && !lbs.some((lb) => lb.LoadBalancerName === lbName);
  const haveNames = new Set(tgs.map((tg) => tg.TargetGroupName));
  const missingNames = (hints.targetGroupNames ?? []).filter((n) => !haveNames.has(n));
  const lbByName = lookUpLb ? await findLoadBalancerByName(ctx, lbName) : null;
  // An apply creates the load balancer before the target groups: a stack with no load
  // balancer anywhere and nothing indexed or seen has no target group to find either,
  // so a new Ingress pays one by-name read, not one per target group.
  const anySign = proposed.length > 0 || lbs.length > 0 || lbByName !== null;
  const tgsByName =
    missingNames.length === 0 || !anySign ? [] : await findTargetGroupsByName(ctx, missingNames);
  const confirmed = new Set<string>();
  for (const lb of lbs) if (lb.LoadBalancerArn !== undefined) confirmed.add(lb.LoadBalancerArn);
  for (const tg of tgs) if (tg.TargetGroupArn !== undefined) confirmed.add(tg.TargetGroupArn);
  const newLb =
    lbByName?.LoadBalancerArn === undefined || confirmed.has(lbByName.LoadBalancerArn)
      ? null
      : lbByName;
  const newTgs = tgsByName.filter(
    (tg) => tg.TargetGroupArn !== undefined && !confirmed.has(tg.TargetGroupArn),
  );

  const unindexed = [
    ...[...confirmed].filter((arn) => !indexed.has(arn)),
    ...(newLb === null ? [] : [newLb.LoadBalancerArn ?? '']),
    ...newTgs.map((tg) => tg.TargetGroupArn ?? ''),
  ];
  const described =
    unindexed.length === 0 ? new Map<string, Tags>() : await describeTags(ctx, unindexed);
  const tagsOf = (arn: string | undefined): Tags =>
    indexed.get(arn ?? '') ?? described.get(arn ?? '') ?? {};
  const isOurs = (arn: string | undefined) => ownedBy(tagsOf(arn), ctx, stackId);

  if (newLb !== null && !isOurs(newLb.LoadBalancerArn)) {
    throw notOurs(ctx, stackId, `load balancer "${lbName ?? ''}"`, newLb.LoadBalancerArn ?? '');
  }
  for (const tg of newTgs) {
    if (!isOurs(tg.TargetGroupArn)) {
      throw notOurs(
        ctx,
        stackId,
        `target group "${tg.TargetGroupName ?? ''}"`,
        tg.TargetGroupArn ?? '',
      );
    }
  }

  // One per stack; more are duplicates (a create sent again, a copy made by hand), which
  // discovery chooses among. A hinted ARN re-tagged away is not ours any more.
  const ourLbs = [...lbs, ...(newLb === null ? [] : [newLb])]
    .filter((l) => isOurs(l.LoadBalancerArn))
    .sort((a, b) => (a.LoadBalancerArn ?? '').localeCompare(b.LoadBalancerArn ?? ''));
  return {
    loadBalancers: ourLbs.map((lb) => ({ lb, tags: tagsOf(lb.LoadBalancerArn) })),
    targetGroups: [...tgs, ...newTgs]
      .filter((tg) => isOurs(tg.TargetGroupArn))
      .map((tg) => ({ tg, tags: tagsOf(tg.TargetGroupArn) })),
  };
}
