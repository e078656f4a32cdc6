/**
 * The two writes of the applied tag (applied-tag.ts) on a load balancer: AddTags after
 * an apply that left exactly the desired stack, RemoveTags before one that changes it.
 * Both only on a load balancer with our cluster tag (iam/policy.json).
 */
import { AddTagsCommand, RemoveTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { TAG_APPLIED } from '../naming/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

export async function addAppliedTag(
  ctx: DeployContext,
  loadBalancerArn: string,
  value: string,
): Promise<void> {
  await call(ctx, 'AddTags', () =>
    ctx.clients.elbv2.send(
      new AddTagsCommand({
        ResourceArns: [loadBalancerArn],
        Tags: [{ Key: TAG_APPLIED, Value: value }],
      }),
      sendOptions(ctx),
    ),
  );
}

export async function removeAppliedTag(ctx: DeployContext, loadBalancerArn: string): Promise<void> {
  await call(ctx, 'RemoveTags', () =>
    ctx.clients.elbv2.send(
      new RemoveTagsCommand({ ResourceArns: [loadBalancerArn], TagKeys: [TAG_APPLIED] }),
      sendOptions(ctx),
    ),
  );
}
