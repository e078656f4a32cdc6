/**
 * A restarted controller (or a new leader) has no kept stack: instead of a full discovery
 * (12–16 reads), it rebuilds the stack the last apply left from the desired stack, the
 * stack's tagging call and the `albatross.dev/applied` tag on its load balancer
 * (applied-tag.ts), then checks it exactly as a kept one (verify-stack.ts `checkStack`):
 * 1 + L reads for an unchanged group, as warm.
 *
 * The tag is written only when it is true (discovery-cache.ts `record`) and removed
 * before an apply changes the stack, so a tag whose fingerprint is the desired stack's
 * vouches for everything the planner compares that the check does not read (attributes,
 * listener settings, certificates, security groups, targets). The rebuilt stack is then
 * what stackAfterApply would have kept: the desired stack with
 *
 * - the load balancer's and target groups' ARNs and tags from the tagging call, each found
 *   by its `albatross.dev/resource` tag;
 * - the listeners' ARNs from the ids in the tag;
 * - the managed security groups' ids from the tag;
 * - the DNS name from the members' `status.loadBalancer`, the one whose digest the tag
 *   holds;
 * - the rules' ARNs from DescribeRules, each rule found by priority and compared by
 *   content (and a twin with our conditions is drift), in checkStack.
 *
 * Anything missing, extra or different is `unusable`, with the tagging call's answer so
 * the full discovery that follows does not pay for it twice.
 */
import type {
  ActualListener,
  ActualSecurityGroup,
  ActualStack,
  ActualTargetGroup,
  Stack,
  Tags,
} from '../model/index.ts';
import { TAG_APPLIED, TAG_RESOURCE } from '../naming/index.ts';
import { decodeApplied, dnsDigest, listenerArnOf } from './applied-tag.ts';
import type { DeployContext } from './context.ts';
import { isLoadBalancerArn } from './lagging-index.ts';
import { checkStack, stackIndex } from './verify-stack.ts';

export type Restored =
  | {
      readonly stack: ActualStack;
      /** The applied tag as read: what the load balancer carries now. */
      readonly tagValue: string;
    }
  | {
      readonly unusable: string;
      /** The tagging call's answer, for the full discovery that follows. */
      readonly indexed: ReadonlyMap<string, Tags>;
    };

function one<T>(items: readonly T[]): T | undefined {
  return items.length === 1 ? items[0] : undefined;
}

/**
 * The stack of `desired` as AWS holds it, rebuilt from the applied tag, or why it cannot
 * be (then read in full). `addresses` are the members' status hostnames. Reads: the
 * tagging call, and DescribeRules per listener once the tag matches.
 */
export async function restoreStack(
  ctx: DeployContext,
  desired: Stack,
  fingerprint: string,
  addresses: readonly string[],
): Promise<Restored> {
  const indexed = await stackIndex(ctx, desired.id);
  const unusable = (why: string): Restored => ({ unusable: why, indexed });
  const lb = desired.loadBalancer;
  if (lb === null) return unusable('no load balancer wanted');
  if (desired.frozenMembers.length > 0) return unusable('a member is frozen');
  if (desired.addons !== undefined) return unusable('add-ons are read in full');
  if (desired.targetGroups.some((tg) => tg.targets === null)) return unusable('targets unknown');

  const entries = [...indexed];
  const lbEntry = one(
    entries.filter(([arn, tags]) => isLoadBalancerArn(arn) && tags[TAG_RESOURCE] === lb.id),
  );
  if (lbEntry === undefined) return unusable('not one load balancer of the stack in the index');
  const [lbArn, lbTags] = lbEntry;
  const tagValue = lbTags[TAG_APPLIED];
  const record = decodeApplied(tagValue);
  if ('unusable' in record) return unusable(record.unusable);
  if (tagValue === undefined || record.fingerprint !== fingerprint) {
    return unusable('the applied tag is of another desired stack');
  }
  const dnsName = addresses.find((a) => dnsDigest(a) === record.dnsDigest);
  if (dnsName === undefined) return unusable("no member's status shows the load balancer's name");

  const listeners: ActualListener[] = [];
  for (const listener of desired.listeners) {
    const id = record.listenerIds.get(listener.port);
    if (id === undefined) return unusable(`no listener id for port ${String(listener.port)}`);
    listeners.push({ ...listener, arn: listenerArnOf(lbArn, id) });
  }
  if (record.listenerIds.size !== desired.listeners.length) {
    return unusable('the applied tag has other listeners');
  }

  const targetGroups: ActualTargetGroup[] = [];
  for (const tg of desired.targetGroups) {
    const entry = one(
      entries.filter(([arn, tags]) => !isLoadBalancerArn(arn) && tags[TAG_RESOURCE] === tg.id),
    );
    if (entry === undefined) return unusable(`not one target group ${tg.id} in the index`);
    targetGroups.push({ ...tg, arn: entry[0], tags: entry[1], targets: tg.targets ?? [] });
  }

  const groups = [...desired.securityGroups].sort((a, b) => a.id.localeCompare(b.id));
  if (groups.length !== record.securityGroupIds.length) {
    return unusable('the applied tag has other security groups');
  }
  const securityGroups = groups.map((sg, i): ActualSecurityGroup => ({
    ...sg,
    groupId: record.securityGroupIds[i] ?? '',
  }));

  const candidate: ActualStack = {
    id: desired.id,
    loadBalancer: { ...lb, arn: lbArn, dnsName: dnsName.toLowerCase(), tags: lbTags },
    listeners,
    // ARNs unknown: checkStack finds each rule by priority on its listener.
    rules: desired.rules.map((r) => ({ ...r, arn: '' })),
    targetGroups,
    securityGroups,
    backendRules: [],
  };
  const checked = await checkStack(ctx, candidate, indexed);
  if ('drift' in checked) return unusable(checked.drift);
  return { stack: checked.stack, tagValue };
}
