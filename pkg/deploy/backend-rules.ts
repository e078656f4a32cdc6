/**
 * Backend access rules: on the node security group (instance targets) or the pods' ENI
 * group (ip targets), a TCP rule admitting the shared backend group on the target ports.
 * When the environment did not know the group, it is read from the targets themselves:
 * the instances' groups (or the ENIs holding the target IPs), preferring the one tagged
 * `kubernetes.io/cluster/<cluster>` when there are several. Rules are tagged at birth so
 * discovery finds them, and revoked by their rule id.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../aws/index.ts';
import type { BackendAccessRule, Stack } from '../model/index.ts';
import type { ResourceStep } from '../plan/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../naming/index.ts';
import { ensureBackendSecurityGroup } from './backend-security-group.ts';
import { call, callRetrying, DeployError, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';

type BackendRuleStep = Extract<ResourceStep, { kind: 'BackendAccessRule' }>;

/** The groups of each target (instance ID or IP), read once per apply. */
async function groupsOfTargets(
  ctx: DeployContext,
  targetType: 'instance' | 'ip',
  targetIds: readonly string[],
): Promise<string[][]> {
  if (targetType === 'instance') {
    const found = await call(ctx, 'DescribeInstances', () =>
      ctx.clients.ec2.send(
        new DescribeInstancesCommand({ InstanceIds: [...targetIds] }),
        sendOptions(ctx),
      ),
    );
    return (found.Reservations ?? []).flatMap((r) =>
      (r.Instances ?? []).map((i) => {
        const primary = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
        const groups = primary?.Groups ?? i.SecurityGroups ?? [];
        return groups.flatMap((g) => (g.GroupId === undefined ? [] : [g.GroupId]));
      }),
    );
  }
  const found = await call(ctx, 'DescribeNetworkInterfaces', () =>
    ctx.clients.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [ctx.vpcId] },
          { Name: 'addresses.private-ip-address', Values: [...targetIds] },
        ],
      }),
      sendOptions(ctx),
    ),
  );
  return (found.NetworkInterfaces ?? []).map((n) =>
    (n.Groups ?? []).flatMap((g) => (g.GroupId === undefined ? [] : [g.GroupId])),
  );
}

/** Of an ENI's several groups, the ones tagged for this cluster. */
async function clusterTagged(
  ctx: DeployContext,
  groupIds: readonly string[],
): Promise<Set<string>> {
  const found = await call(ctx, 'DescribeSecurityGroups', () =>
    ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] }),
      sendOptions(ctx),
    ),
  );
  const tag = `kubernetes.io/cluster/${ctx.clusterName}`;
  return new Set(
    (found.SecurityGroups ?? []).flatMap((g) =>
      g.GroupId !== undefined && g.Tags?.some((t) => t.Key === tag) === true ? [g.GroupId] : [],
    ),
  );
}

/** Resolves the node or pod group of a rule whose group the environment did not know. */
export class BackendGroupResolver {
  readonly #ctx: DeployContext;
  readonly #desired: Stack;
  readonly #byTargetGroup = new Map<string, string | null>();

  constructor(ctx: DeployContext, desired: Stack) {
    this.#ctx = ctx;
    this.#desired = desired;
  }

  /** The `sg-…` to put the rule on, or `null` when the target group has no targets yet. */
  async groupOf(rule: BackendAccessRule): Promise<string | null> {
    if (rule.securityGroupId !== null) return rule.securityGroupId;
    const cached = this.#byTargetGroup.get(rule.targetGroupId);
    if (cached !== undefined) return cached;
    const tg = this.#desired.targetGroups.find((t) => t.id === rule.targetGroupId);
    const targets = [...new Set((tg?.targets ?? []).map((t) => t.id))].sort();
    let resolved: string | null = null;
    if (tg !== undefined && targets.length > 0) {
      const perTarget = await groupsOfTargets(this.#ctx, tg.targetType, targets);
      const several = [...new Set(perTarget.filter((g) => g.length > 1).flat())];
      const tagged =
        several.length === 0 ? new Set<string>() : await clusterTagged(this.#ctx, several);
      const chosen = new Set(
        perTarget.flatMap((groups) =>
          groups.length === 1 ? groups : groups.filter((g) => tagged.has(g)),
        ),
      );
      if (chosen.size > 1) {
        throw new DeployError(
          `the targets of ${rule.targetGroupId} are in different security groups (${[...chosen].sort().join(', ')}); tag one per ENI with kubernetes.io/cluster/${this.#ctx.clusterName}`,
        );
      }
      resolved = [...chosen][0] ?? null;
    }
    this.#byTargetGroup.set(rule.targetGroupId, resolved);
    return resolved;
  }
}

/** What a backend rule step did: `skipped` when its group could not be known yet. */
export type BackendRuleOutcome = 'applied' | 'skipped';

async function authorize(
  ctx: DeployContext,
  stackId: string,
  rule: BackendAccessRule,
  groupId: string,
): Promise<void> {
  const source = await ensureBackendSecurityGroup(ctx);
  try {
    await callRetrying(ctx, 'AuthorizeSecurityGroupIngress', () =>
      ctx.clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: groupId,
          IpPermissions: [
            {
              IpProtocol: 'tcp',
              FromPort: rule.fromPort,
              ToPort: rule.toPort,
              UserIdGroupPairs: [
                { GroupId: source, Description: `albatross ${stackId} ${rule.targetGroupId}` },
              ],
            },
          ],
          TagSpecifications: [
            {
              ResourceType: 'security-group-rule',
              Tags: [
                { Key: TAG_CLUSTER, Value: ctx.clusterName },
                { Key: TAG_STACK, Value: stackId },
                { Key: TAG_RESOURCE, Value: rule.id },
              ],
            },
          ],
        }),
        sendOptions(ctx),
      ),
    );
  } catch (err) {
    // EC2 keeps one rule per (group, protocol, ports, source): another stack of this
    // cluster that reaches the same NodePort already opened it, and the access exists.
    if (!(err instanceof AwsError) || err.code !== 'InvalidPermission.Duplicate') throw err;
  }
}

export async function applyBackendRule(
  ctx: DeployContext,
  stackId: string,
  resolver: BackendGroupResolver,
  step: BackendRuleStep,
): Promise<BackendRuleOutcome> {
  switch (step.step) {
    case 'create':
    case 'replace': {
      const groupId = await resolver.groupOf(step.desired);
      if (groupId === null) return 'skipped';
      await authorize(ctx, stackId, step.desired, groupId);
      return 'applied';
    }
    case 'delete':
    case 'delete-replaced':
      await call(ctx, 'RevokeSecurityGroupIngress', () =>
        unlessGone('InvalidPermission.NotFound', () =>
          ctx.clients.ec2.send(
            new RevokeSecurityGroupIngressCommand({
              GroupId: step.actual.securityGroupId,
              SecurityGroupRuleIds: [step.actual.securityGroupRuleId],
            }),
            sendOptions(ctx),
          ),
        ),
      );
      return 'applied';
    case 'update':
      // A rule has no field to change in place; the planner replaces it instead.
      return 'applied';
  }
}
