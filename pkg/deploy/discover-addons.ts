/**
 * Reads the add-ons of a load balancer: one call per add-on kind the desired stack sets
 * (GetWebACLForResource of WAFv2 or WAF Regional, Shield DescribeProtection), none for a
 * kind it leaves alone. Run with a full discovery, never on the cheap steady-state check:
 * the fingerprint of the desired stack covers the add-ons, so a change of what is wanted
 * always leads here.
 */
import { DescribeProtectionCommand } from '@aws-sdk/client-shield';
import { GetWebACLForResourceCommand as GetRegionalWebAclCommand } from '@aws-sdk/client-waf-regional';
import { GetWebACLForResourceCommand } from '@aws-sdk/client-wafv2';
import { AwsError } from '../aws/index.ts';
import type { ActualAddons, ActualStack, LoadBalancerAddons } from '../model/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

async function shieldProtection(ctx: DeployContext, arn: string): Promise<string | null> {
  try {
    const out = await call(ctx, 'DescribeProtection', () =>
      ctx.clients.shield.send(
        new DescribeProtectionCommand({ ResourceArn: arn }),
        sendOptions(ctx),
      ),
    );
    return out.Protection?.Id ?? null;
  } catch (err) {
    if (err instanceof AwsError && err.code === 'ResourceNotFound') return null;
    throw err;
  }
}

export async function readAddons(
  ctx: DeployContext,
  loadBalancerArn: string,
  want: LoadBalancerAddons,
): Promise<ActualAddons> {
  const [wafv2, wafRegional, shieldProtectionId] = await Promise.all([
    want.wafv2 === undefined
      ? undefined
      : call(ctx, 'GetWebACLForResource', () =>
          ctx.clients.wafv2.send(
            new GetWebACLForResourceCommand({ ResourceArn: loadBalancerArn }),
            sendOptions(ctx),
          ),
        ).then((out) => out.WebACL?.ARN ?? null),
    want.wafRegional === undefined
      ? undefined
      : call(ctx, 'GetWebACLForResource', () =>
          ctx.clients.wafRegional.send(
            new GetRegionalWebAclCommand({ ResourceArn: loadBalancerArn }),
            sendOptions(ctx),
          ),
        ).then((out) => out.WebACLSummary?.WebACLId ?? null),
    want.shieldAdvanced === undefined ? undefined : shieldProtection(ctx, loadBalancerArn),
  ]);
  return {
    ...(wafv2 !== undefined ? { wafv2 } : {}),
    ...(wafRegional !== undefined ? { wafRegional } : {}),
    ...(shieldProtectionId !== undefined ? { shieldProtectionId } : {}),
  };
}

/** `actual` with the add-ons the desired stack sets, read; unchanged when none is set. */
export async function withAddons(
  ctx: DeployContext,
  actual: ActualStack | null,
  want: LoadBalancerAddons | undefined,
): Promise<ActualStack | null> {
  const lb = actual?.loadBalancer;
  if (actual === null || lb === null || lb === undefined || want === undefined) return actual;
  return { ...actual, addons: await readAddons(ctx, lb.arn, want) };
}
