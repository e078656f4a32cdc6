/**
 * The cluster-level backend rules in AWS: resolve every stack's needs to security groups
 * (the groups of its targets, read in batches across all stacks), union them (pure, see
 * pkg/plan/backend-access.ts), and authorize or revoke the difference with the rules
 * found by our cluster tag. A rule carries `albatross.dev/cluster` and
 * `albatross.dev/resource` = `backend-rule/<sg>/<from>-<to>`, and no stack tag: it is
 * revoked only when no stack of the cluster needs it any more.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AwsError, awsErrorCode } from '../aws/index.ts';
import type { ActualClusterBackendRule, ClusterBackendRule, Stack } from '../model/index.ts';
import {
  CLUSTER_BACKEND_RULE_PREFIX,
  TAG_CLUSTER,
  TAG_RESOURCE,
  TAG_STACK,
} from '../naming/index.ts';
import { planBackendAccess, stackNeeds, wantedBackendRules } from '../plan/index.ts';
import type { BackendAccessNeed, NodePortRange } from '../plan/index.ts';
import {
  ensureBackendSecurityGroup,
  forgetBackendSecurityGroup,
} from './backend-security-group.ts';
import { call, callRetrying, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { fromSdkTags } from './from-sdk.ts';
import { describeTaggedSecurityGroupRules } from './tagged-security-group-rules.ts';

/** EC2 filters take at most 200 values. */
const FILTER_BATCH = 200;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The security groups of targets (instance IDs or pod IPs), remembered across runs: a
 * node's or pod ENI's groups seldom change, and a resync starts from a fresh one.
 */
export class TargetGroupsOfTargets {
  readonly #instances = new Map<string, readonly string[]>();
  readonly #ips = new Map<string, readonly string[]>();
  readonly #clusterTagged = new Map<string, boolean>();
  readonly #enis = new Map<string, string>();

  /** True when the groups of every one of these targets have been read. */
  knows(instanceIds: readonly string[], ips: readonly string[]): boolean {
    return instanceIds.every((i) => this.#instances.has(i)) && ips.every((i) => this.#ips.has(i));
  }

  /** Reads the groups of the targets not known yet: one call per 200 of each kind. */
  async load(ctx: DeployContext, instanceIds: readonly string[], ips: readonly string[]) {
    const newInstances = [...new Set(instanceIds)].filter((i) => !this.#instances.has(i)).sort();
    const newIps = [...new Set(ips)].filter((i) => !this.#ips.has(i)).sort();
    for (const batch of chunks(newInstances, FILTER_BATCH)) {
      const found = await call(ctx, 'DescribeInstances', () =>
        ctx.clients.ec2.send(
          new DescribeInstancesCommand({ Filters: [{ Name: 'instance-id', Values: batch }] }),
          sendOptions(ctx),
        ),
      );
      for (const i of (found.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
        if (i.InstanceId === undefined) continue;
        const primary = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
        const groups = primary?.Groups ?? i.SecurityGroups ?? [];
        this.#instances.set(
          i.InstanceId,
          groups.flatMap((g) => (g.GroupId === undefined ? [] : [g.GroupId])),
        );
      }
      // Gone (terminated): known to have no group, so it is not asked for again and again.
      for (const id of batch) if (!this.#instances.has(id)) this.#instances.set(id, []);
    }
    for (const batch of chunks(newIps, FILTER_BATCH)) {
      const found = await call(ctx, 'DescribeNetworkInterfaces', () =>
        ctx.clients.ec2.send(
          new DescribeNetworkInterfacesCommand({
            Filters: [
              { Name: 'vpc-id', Values: [ctx.vpcId] },
              { Name: 'addresses.private-ip-address', Values: batch },
            ],
          }),
          sendOptions(ctx),
        ),
      );
      for (const eni of found.NetworkInterfaces ?? []) {
        const groups = (eni.Groups ?? []).flatMap((g) =>
          g.GroupId === undefined ? [] : [g.GroupId],
        );
        const addresses = (eni.PrivateIpAddresses ?? []).flatMap((a) =>
          a.PrivateIpAddress === undefined ? [] : [a.PrivateIpAddress],
        );
        if (eni.PrivateIpAddress !== undefined) addresses.push(eni.PrivateIpAddress);
        for (const ip of addresses) {
          this.#ips.set(ip, groups);
          if (eni.NetworkInterfaceId !== undefined) this.#enis.set(ip, eni.NetworkInterfaceId);
        }
      }
      for (const ip of batch) if (!this.#ips.has(ip)) this.#ips.set(ip, []);
    }
    // A target with several groups: the one tagged for this cluster is the one to open.
    const several = [
      ...new Set(
        [...this.#instances.values(), ...this.#ips.values()].filter((g) => g.length > 1).flat(),
      ),
    ]
      .filter((g) => !this.#clusterTagged.has(g))
      .sort();
    for (const batch of chunks(several, FILTER_BATCH)) {
      const found = await call(ctx, 'DescribeSecurityGroups', () =>
        ctx.clients.ec2.send(
          new DescribeSecurityGroupsCommand({ GroupIds: batch }),
          sendOptions(ctx),
        ),
      );
      const tag = `kubernetes.io/cluster/${ctx.clusterName}`;
      for (const g of batch) this.#clusterTagged.set(g, false);
      for (const g of found.SecurityGroups ?? []) {
        if (g.GroupId !== undefined && g.Tags?.some((t) => t.Key === tag) === true) {
          this.#clusterTagged.set(g.GroupId, true);
        }
      }
    }
  }

  /**
   * A target's groups when no rule can be chosen for it: several groups, none tagged
   * `kubernetes.io/cluster/<cluster>`. `null` when it is admitted, or not read yet.
   */
  untagged(targetType: 'instance' | 'ip', id: string): readonly string[] | null {
    const groups = (targetType === 'instance' ? this.#instances : this.#ips).get(id) ?? [];
    if (groups.length <= 1) return null;
    return groups.some((g) => this.#clusterTagged.get(g) !== false) ? null : groups;
  }

  /** The network interface an IP was read on (for messages). */
  eniOf(ip: string): string | undefined {
    return this.#enis.get(ip);
  }

  /** The groups to open for these targets (each target's own, or its cluster-tagged one). */
  groupsOf(targetType: 'instance' | 'ip', targetIds: readonly string[]): string[] {
    const known = targetType === 'instance' ? this.#instances : this.#ips;
    const chosen = new Set<string>();
    for (const id of targetIds) {
      const groups = known.get(id) ?? [];
      const picked =
        groups.length <= 1 ? groups : groups.filter((g) => this.#clusterTagged.get(g) === true);
      for (const g of picked) chosen.add(g);
    }
    return [...chosen].sort();
  }
}

/** The targets whose security groups decide backend rules: those of unresolved needs. */
function targetsToResolve(stacks: readonly Stack[]): { instanceIds: string[]; ips: string[] } {
  const instanceIds: string[] = [];
  const ips: string[] = [];
  for (const stack of stacks) {
    const unresolved = new Set(
      stack.backendRules.filter((r) => r.securityGroupId === null).map((r) => r.targetGroupId),
    );
    for (const tg of stack.targetGroups) {
      if (!unresolved.has(tg.id)) continue;
      for (const t of tg.targets ?? [])
        (tg.targetType === 'instance' ? instanceIds : ips).push(t.id);
    }
  }
  return { instanceIds, ips };
}

/**
 * True when a target of `stack` seen for the first time (a new Node, a new pod ENI) is in
 * a security group that no earlier target of its target group was in: that group may
 * have no rule yet, so backend access must run before the target is registered. Reads
 * only the new targets' groups (one DescribeInstances or DescribeNetworkInterfaces per
 * 200); a pod that rolls within the same groups costs that read and nothing more.
 */
export async function hasNewTargetGroups(
  ctx: DeployContext,
  stack: Stack,
  groups: TargetGroupsOfTargets,
): Promise<boolean> {
  const unresolved = new Set(
    stack.backendRules.filter((r) => r.securityGroupId === null).map((r) => r.targetGroupId),
  );
  const before = stack.targetGroups.map((tg) => {
    const ids = (tg.targets ?? []).map((t) => t.id);
    const seen = ids.filter((id) =>
      tg.targetType === 'instance' ? groups.knows([id], []) : groups.knows([], [id]),
    );
    return { tg, ids, seen };
  });
  if (before.every((b) => !unresolved.has(b.tg.id) || b.seen.length === b.ids.length)) {
    return false;
  }
  const opened = before.map((b) => new Set(groups.groupsOf(b.tg.targetType, b.seen)));
  const { instanceIds, ips } = targetsToResolve([stack]);
  await groups.load(ctx, instanceIds, ips);
  return before.some(
    (b, i) =>
      unresolved.has(b.tg.id) &&
      groups.groupsOf(b.tg.targetType, b.ids).some((g) => opened[i]?.has(g) !== true),
  );
}

/** A target no backend rule admits, with what the user must do about it. */
export interface UnadmittedTarget {
  /** The Ingress whose target group holds it. */
  readonly member: string;
  readonly message: string;
}

/**
 * The targets of `stack` that get no backend rule because none of their several
 * security groups carries the cluster tag, as read so far (no AWS call): the load
 * balancer cannot reach them, which the user must hear about rather than find out.
 */
export function unadmittedTargets(
  clusterName: string,
  stack: Stack,
  groups: TargetGroupsOfTargets,
): UnadmittedTarget[] {
  const unresolved = new Set(
    stack.backendRules.filter((r) => r.securityGroupId === null).map((r) => r.targetGroupId),
  );
  const tag = `kubernetes.io/cluster/${clusterName}`;
  const out = new Map<string, UnadmittedTarget>();
  for (const tg of stack.targetGroups) {
    if (!unresolved.has(tg.id)) continue;
    for (const t of tg.targets ?? []) {
      const untagged = groups.untagged(tg.targetType, t.id);
      if (untagged === null) continue;
      const eni = tg.targetType === 'ip' ? groups.eniOf(t.id) : undefined;
      const what =
        tg.targetType === 'instance'
          ? `instance ${t.id}`
          : `pod IP ${t.id}${eni === undefined ? '' : ` (network interface ${eni})`}`;
      const message =
        `${what} is in security groups ${untagged.join(', ')}, none tagged ${tag}: no backend ` +
        `rule lets the load balancer reach it, so it cannot become healthy; tag exactly one ` +
        `of them ${tag} (value owned or shared)`;
      out.set(`${tg.member}\u0000${message}`, { member: tg.member, message });
    }
  }
  return [...out.values()];
}

/** Every stack's needs, with the groups of targets read in batches across all stacks. */
export async function resolveNeeds(
  ctx: DeployContext,
  stacks: readonly Stack[],
  groups: TargetGroupsOfTargets,
): Promise<BackendAccessNeed[]> {
  const { instanceIds, ips } = targetsToResolve(stacks);
  await groups.load(ctx, instanceIds, ips);
  return stacks.flatMap((stack) => {
    const byId = new Map(stack.targetGroups.map((tg) => [tg.id, tg]));
    return stackNeeds(stack, (tgId) => {
      const tg = byId.get(tgId);
      if (tg === undefined) return [];
      return groups.groupsOf(
        tg.targetType,
        (tg.targets ?? []).map((t) => t.id),
      );
    });
  });
}

const RULE_RANGE = /^backend-rule\/(sg-[0-9a-z]+)\/(\d+)-(\d+)$/;

/** The cluster-level backend rules of this cluster: one tag-filtered read per page. */
export async function discoverClusterBackendRules(
  ctx: DeployContext,
): Promise<ActualClusterBackendRule[]> {
  const rules = await describeTaggedSecurityGroupRules(ctx, { [TAG_CLUSTER]: ctx.clusterName });
  return rules.flatMap((rule) => {
    const tags = fromSdkTags(rule.Tags);
    const id = tags[TAG_RESOURCE];
    if (
      tags[TAG_CLUSTER] !== ctx.clusterName ||
      tags[TAG_STACK] !== undefined ||
      id?.startsWith(CLUSTER_BACKEND_RULE_PREFIX) !== true ||
      !RULE_RANGE.test(id) ||
      rule.IsEgress === true ||
      rule.GroupId === undefined ||
      rule.SecurityGroupRuleId === undefined
    ) {
      return [];
    }
    return [
      {
        id,
        securityGroupId: rule.GroupId,
        securityGroupRuleId: rule.SecurityGroupRuleId,
        fromPort: rule.FromPort ?? -1,
        toPort: rule.ToPort ?? -1,
      },
    ];
  });
}

async function authorize(ctx: DeployContext, rule: ClusterBackendRule): Promise<void> {
  try {
    await authorizeFrom(ctx, rule, await ensureBackendSecurityGroup(ctx));
  } catch (err) {
    // The shared backend group we remembered was deleted: forget it, find or create it
    // again, and try once more (still NotFound: the target group itself is gone).
    const code = err instanceof AwsError ? err.code : awsErrorCode(err);
    if (code !== 'InvalidGroup.NotFound') throw err;
    forgetBackendSecurityGroup(ctx);
    await authorizeFrom(ctx, rule, await ensureBackendSecurityGroup(ctx));
  }
}

async function authorizeFrom(
  ctx: DeployContext,
  rule: ClusterBackendRule,
  source: string,
): Promise<void> {
  try {
    await callRetrying(ctx, 'AuthorizeSecurityGroupIngress', () =>
      ctx.clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: rule.securityGroupId,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: rule.fromPort,
              ToPort: rule.toPort,
              UserIdGroupPairs: [
                { GroupId: source, Description: `albatross ${ctx.clusterName} backend access` },
              ],
            },
          ],
          TagSpecifications: [
            {
              ResourceType: 'security-group-rule',
              Tags: [
                { Key: TAG_CLUSTER, Value: ctx.clusterName },
                { Key: TAG_RESOURCE, Value: rule.id },
              ],
            },
          ],
        }),
        sendOptions(ctx),
      ),
    );
  } catch (err) {
    // EC2 keeps one rule per (group, protocol, ports, source): the same access exists
    // already (a per-stack rule of an earlier version, until its stack's plan revokes it).
    if (awsErrorCode(err) !== 'InvalidPermission.Duplicate') throw err;
  }
}

async function revoke(
  ctx: DeployContext,
  securityGroupId: string,
  ruleIds: readonly string[],
): Promise<void> {
  await call(ctx, 'RevokeSecurityGroupIngress', () =>
    unlessGone('InvalidPermission.NotFound', () =>
      ctx.clients.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: securityGroupId,
          SecurityGroupRuleIds: [...ruleIds],
        }),
        sendOptions(ctx),
      ),
    ),
  );
}

export interface BackendAccessInput {
  /** The last built stack of every group this controller knows (frozen members excluded). */
  readonly stacks: readonly Stack[];
  readonly nodePortRange: NodePortRange;
  /**
   * Revoke rules no stack needs. Only when `stacks` is known to be complete: a missing
   * stack's needs would look unneeded and its traffic would be cut.
   */
  readonly revoke: boolean;
  /** Target → security group reads, kept between runs. */
  readonly groups: TargetGroupsOfTargets;
}

export interface BackendAccessResult {
  readonly authorized: readonly string[];
  readonly revoked: readonly string[];
}

/** Brings the cluster-level backend rules in line with the union of every stack's needs. */
export async function reconcileBackendAccess(
  ctx: DeployContext,
  input: BackendAccessInput,
): Promise<BackendAccessResult> {
  const [needs, found] = await Promise.all([
    resolveNeeds(ctx, input.stacks, input.groups),
    discoverClusterBackendRules(ctx),
  ]);
  const plan = planBackendAccess(wantedBackendRules(needs, input.nodePortRange), found, {
    revoke: input.revoke,
  });
  for (const rule of plan.authorize) await authorize(ctx, rule);
  const byGroup = new Map<string, string[]>();
  for (const rule of plan.revoke) {
    const ids = byGroup.get(rule.securityGroupId) ?? [];
    ids.push(rule.securityGroupRuleId);
    byGroup.set(rule.securityGroupId, ids);
  }
  for (const [groupId, ids] of [...byGroup].sort((a, b) => a[0].localeCompare(b[0]))) {
    await revoke(ctx, groupId, ids);
  }
  return {
    authorized: plan.authorize.map((r) => r.id),
    revoked: plan.revoke.map((r) => r.id),
  };
}
