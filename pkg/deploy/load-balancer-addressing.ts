/**
 * The ALB's address pools and capacity reservation: what CreateLoadBalancer takes for
 * them, and the in-place changes (ModifyIpPools, ModifyCapacityReservation). The
 * customer-owned pool has no in-place call: the planner replaces the ALB for it.
 */
import {
  DescribeCapacityReservationCommand,
  ModifyCapacityReservationCommand,
  ModifyIpPoolsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { LoadBalancer } from '../model/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

export function createAddressing(want: LoadBalancer): {
  readonly CustomerOwnedIpv4Pool?: string;
  readonly IpamPools?: { readonly Ipv4IpamPoolId: string };
} {
  return {
    ...(want.customerOwnedIpv4Pool === undefined
      ? {}
      : { CustomerOwnedIpv4Pool: want.customerOwnedIpv4Pool }),
    ...(want.ipamIpv4PoolId === undefined
      ? {}
      : { IpamPools: { Ipv4IpamPoolId: want.ipamIpv4PoolId } }),
  };
}

/** The reserved LCUs, `undefined` when there is no reservation. */
export async function describeCapacityUnits(
  ctx: DeployContext,
  arn: string,
): Promise<number | undefined> {
  const out = await call(ctx, 'DescribeCapacityReservation', () =>
    ctx.clients.elbv2.send(
      new DescribeCapacityReservationCommand({ LoadBalancerArn: arn }),
      sendOptions(ctx),
    ),
  );
  return out.MinimumLoadBalancerCapacity?.CapacityUnits;
}

export async function setCapacityUnits(
  ctx: DeployContext,
  arn: string,
  units: number | undefined,
): Promise<void> {
  if (units === undefined) return;
  await call(ctx, 'ModifyCapacityReservation', () =>
    ctx.clients.elbv2.send(
      new ModifyCapacityReservationCommand(
        units === 0
          ? { LoadBalancerArn: arn, ResetCapacityReservation: true }
          : { LoadBalancerArn: arn, MinimumLoadBalancerCapacity: { CapacityUnits: units } },
      ),
      sendOptions(ctx),
    ),
  );
}

export async function setIpamPool(
  ctx: DeployContext,
  arn: string,
  poolId: string | undefined,
): Promise<void> {
  await call(ctx, 'ModifyIpPools', () =>
    ctx.clients.elbv2.send(
      new ModifyIpPoolsCommand(
        poolId === undefined
          ? { LoadBalancerArn: arn, RemoveIpamPools: ['ipv4'] }
          : { LoadBalancerArn: arn, IpamPools: { Ipv4IpamPoolId: poolId } },
      ),
      sendOptions(ctx),
    ),
  );
}
