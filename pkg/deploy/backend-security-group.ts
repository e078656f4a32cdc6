/**
 * The cluster's shared backend security group: attached to every ALB we manage, and the
 * one source the node (or pod) security groups admit on the target ports, so a cluster
 * with a hundred ALBs adds one rule per port to the node group, not a hundred. It belongs
 * to no stack and so is never deleted by a plan: it stays while the cluster runs
 * Albatross, whatever groups come and go.
 */
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws/index.ts';
import { awsErrorCode, toAwsError } from '../aws/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE } from '../naming/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

/** The `albatross.dev/resource` value of the shared backend group. */
export const SHARED_BACKEND_ID = 'shared-backend';

/** Known group ids, per set of clients and cluster: found once, then no call at all. */
const known = new WeakMap<AwsClients, Map<string, string>>();

function cacheKey(ctx: DeployContext): string {
  return `${ctx.clusterName}\u0000${ctx.vpcId}`;
}

function remember(ctx: DeployContext, groupId: string): string {
  let byCluster = known.get(ctx.clients);
  if (byCluster === undefined) {
    byCluster = new Map();
    known.set(ctx.clients, byCluster);
  }
  byCluster.set(cacheKey(ctx), groupId);
  return groupId;
}

/** Forgets the cached id (after AWS said the group is gone). */
export function forgetBackendSecurityGroup(ctx: DeployContext): void {
  known.get(ctx.clients)?.delete(cacheKey(ctx));
}

/** `albatross-<cluster>-backend` (EC2 names may be 255 characters; only `sg-` is barred). */
export function backendSecurityGroupName(clusterName: string): string {
  return `albatross-${clusterName}-backend`;
}

/** The shared backend group's `sg-…`, or `null` when this cluster has none yet. */
export async function findBackendSecurityGroup(ctx: DeployContext): Promise<string | null> {
  const cached = known.get(ctx.clients)?.get(cacheKey(ctx));
  if (cached !== undefined) return cached;
  const found = await call(ctx, 'DescribeSecurityGroups', () =>
    ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [ctx.vpcId] },
          { Name: `tag:${TAG_CLUSTER}`, Values: [ctx.clusterName] },
          { Name: `tag:${TAG_RESOURCE}`, Values: [SHARED_BACKEND_ID] },
        ],
      }),
      sendOptions(ctx),
    ),
  );
  const ids = (found.SecurityGroups ?? []).flatMap((g) =>
    g.GroupId === undefined ? [] : [g.GroupId],
  );
  // Two would mean a race between two controllers; the oldest-looking (lowest) id wins
  // everywhere, so both converge on the same one.
  const groupId = ids.sort()[0];
  return groupId === undefined ? null : remember(ctx, groupId);
}

/** Ensures in flight, per set of clients and cluster: concurrent workers share one. */
const ensuring = new WeakMap<AwsClients, Map<string, Promise<string>>>();

/**
 * Finds the shared backend group, creating it (tagged at birth) the first time. Workers
 * that ask at the same moment share one find-or-create: the emulator, unlike AWS, does
 * not refuse a second group of the same name, so racing creates would each make one.
 */
export function ensureBackendSecurityGroup(ctx: DeployContext): Promise<string> {
  const cached = known.get(ctx.clients)?.get(cacheKey(ctx));
  if (cached !== undefined) return Promise.resolve(cached);
  let byCluster = ensuring.get(ctx.clients);
  if (byCluster === undefined) {
    byCluster = new Map();
    ensuring.set(ctx.clients, byCluster);
  }
  const key = cacheKey(ctx);
  const pending = byCluster.get(key);
  if (pending !== undefined) return pending;
  const started = findOrCreate(ctx).finally(() => byCluster.delete(key));
  byCluster.set(key, started);
  return started;
}

async function findOrCreate(ctx: DeployContext): Promise<string> {
  const existing = await findBackendSecurityGroup(ctx);
  if (existing !== null) return existing;
  try {
    const created = await ctx.clients.ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: ctx.vpcId,
        GroupName: backendSecurityGroupName(ctx.clusterName),
        Description: `[albatross] shared backend of the ALBs of cluster ${ctx.clusterName}`,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: TAG_CLUSTER, Value: ctx.clusterName },
              { Key: TAG_RESOURCE, Value: SHARED_BACKEND_ID },
              { Key: 'Name', Value: backendSecurityGroupName(ctx.clusterName) },
            ],
          },
        ],
      }),
      sendOptions(ctx),
    );
    if (created.GroupId === undefined) throw new Error('CreateSecurityGroup returned no GroupId');
    return remember(ctx, created.GroupId);
  } catch (err) {
    // Another controller of this cluster created it a moment ago: use theirs.
    if (awsErrorCode(err) === 'InvalidGroup.Duplicate') {
      const raced = await findBackendSecurityGroup(ctx);
      if (raced !== null) return raced;
    }
    throw toAwsError('CreateSecurityGroup', err);
  }
}
