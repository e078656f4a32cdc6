/** The ALB: created tagged, changed field by field, replaced by delete-then-create. */
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  ModifyLoadBalancerAttributesCommand,
  SetIpAddressTypeCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes, LoadBalancer } from '../model/index.ts';
import type { ResourceStep } from '../plan/index.ts';
import { call, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { addChangedTags, keyedFields, pick } from './fields.ts';
import { createAddressing, setCapacityUnits, setIpamPool } from './load-balancer-addressing.ts';
import { securityGroupIds, subnetIds } from './resolve.ts';
import type { ApplyState } from './resolve.ts';
import { toSdkAttributes, toSdkTags } from './to-sdk.ts';

type LoadBalancerStep = Extract<ResourceStep, { kind: 'LoadBalancer' }>;

async function setAttributes(ctx: DeployContext, arn: string, attributes: Attributes) {
  if (Object.keys(attributes).length === 0) return;
  await call(ctx, 'ModifyLoadBalancerAttributes', () =>
    ctx.clients.elbv2.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: toSdkAttributes(attributes),
      }),
      sendOptions(ctx),
    ),
  );
}

async function create(ctx: DeployContext, state: ApplyState, want: LoadBalancer): Promise<void> {
  const subnets = subnetIds(want.subnets);
  const groups = await securityGroupIds(ctx, state, want.securityGroups);
  const created = await call(ctx, 'CreateLoadBalancer', () =>
    ctx.clients.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: want.name,
        Type: 'application',
        Scheme: want.scheme,
        IpAddressType: want.ipAddressType,
        Subnets: subnets,
        SecurityGroups: groups,
        Tags: toSdkTags(want.tags),
        ...createAddressing(want),
      }),
      sendOptions(ctx),
    ),
  );
  const lb = created.LoadBalancers?.[0];
  state.loadBalancerArn = lb?.LoadBalancerArn ?? null;
  state.dnsName = lb?.DNSName?.toLowerCase() ?? null;
  await setAttributes(ctx, state.loadBalancer(), want.attributes);
  // A new ALB has no reservation: 0 needs no call.
  if (want.minimumCapacityUnits !== 0) {
    await setCapacityUnits(ctx, state.loadBalancer(), want.minimumCapacityUnits);
  }
}

async function deleteLoadBalancer(ctx: DeployContext, arn: string): Promise<void> {
  await call(ctx, 'DeleteLoadBalancer', () =>
    unlessGone('LoadBalancerNotFound', () =>
      ctx.clients.elbv2.send(
        new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }),
        sendOptions(ctx),
      ),
    ),
  );
}

async function remove(ctx: DeployContext, state: ApplyState, arn: string): Promise<void> {
  await deleteLoadBalancer(ctx, arn);
  // Its listeners and rules went with it.
  state.loadBalancerArn = null;
  state.dnsName = null;
  state.listeners.clear();
  state.rules.clear();
}

export async function applyLoadBalancer(
  ctx: DeployContext,
  state: ApplyState,
  step: LoadBalancerStep,
): Promise<void> {
  switch (step.step) {
    case 'create':
      return create(ctx, state, step.desired);
    case 'replace':
      await remove(ctx, state, step.actual.arn);
      return create(ctx, state, step.desired);
    case 'delete':
    case 'delete-replaced':
      return remove(ctx, state, step.actual.arn);
    case 'delete-duplicate':
      // The kept load balancer, and what apply knows of it, stay.
      return deleteLoadBalancer(ctx, step.actual.arn);
    case 'update': {
      const arn = step.actual.arn;
      const want = step.desired;
      const fields = new Set(step.fields);
      if (fields.has('ipAddressType')) {
        await call(ctx, 'SetIpAddressType', () =>
          ctx.clients.elbv2.send(
            new SetIpAddressTypeCommand({
              LoadBalancerArn: arn,
              IpAddressType: want.ipAddressType,
            }),
            sendOptions(ctx),
          ),
        );
      }
      if (fields.has('subnets')) {
        const subnets = subnetIds(want.subnets);
        await call(ctx, 'SetSubnets', () =>
          ctx.clients.elbv2.send(
            new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: subnets }),
            sendOptions(ctx),
          ),
        );
      }
      if (fields.has('securityGroups')) {
        const groups = await securityGroupIds(ctx, state, want.securityGroups);
        await call(ctx, 'SetSecurityGroups', () =>
          ctx.clients.elbv2.send(
            new SetSecurityGroupsCommand({ LoadBalancerArn: arn, SecurityGroups: groups }),
            sendOptions(ctx),
          ),
        );
      }
      if (fields.has('ipamIpv4PoolId')) await setIpamPool(ctx, arn, want.ipamIpv4PoolId);
      if (fields.has('minimumCapacityUnits')) {
        await setCapacityUnits(ctx, arn, want.minimumCapacityUnits);
      }
      await setAttributes(ctx, arn, pick(want.attributes, keyedFields(step.fields, 'attributes')));
      await addChangedTags(ctx, arn, want.tags, step.fields);
      return;
    }
  }
}
