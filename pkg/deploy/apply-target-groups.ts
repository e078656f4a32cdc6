/** Target groups: created tagged in our VPC, health check and attributes changed in place. */
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes, HealthCheck } from '../model/index.ts';
import type { ResourceStep } from '../plan/index.ts';
import { call, callRetrying, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { addChangedTags, keyedFields, pick } from './fields.ts';
import type { ApplyState } from './resolve.ts';
import { toSdkAttributes, toSdkHealthCheck, toSdkTags } from './to-sdk.ts';

type TargetGroupStep = Extract<ResourceStep, { kind: 'TargetGroup' }>;

async function setAttributes(ctx: DeployContext, arn: string, attributes: Attributes) {
  if (Object.keys(attributes).length === 0) return;
  await call(ctx, 'ModifyTargetGroupAttributes', () =>
    ctx.clients.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: toSdkAttributes(attributes),
      }),
      sendOptions(ctx),
    ),
  );
}

export async function applyTargetGroup(
  ctx: DeployContext,
  state: ApplyState,
  step: TargetGroupStep,
): Promise<void> {
  switch (step.step) {
    case 'create':
    case 'replace': {
      // A replacement has a new name (the hash covers what cannot change in place), so
      // it is created beside the old one; rules move to it before the old one goes.
      const want = step.desired;
      const created = await call(ctx, 'CreateTargetGroup', () =>
        ctx.clients.elbv2.send(
          new CreateTargetGroupCommand({
            Name: want.name,
            VpcId: ctx.vpcId,
            TargetType: want.targetType,
            Protocol: want.protocol,
            ProtocolVersion: want.protocolVersion,
            Port: want.port,
            IpAddressType: want.ipAddressType,
            ...(want.targetControlPort !== undefined
              ? { TargetControlPort: want.targetControlPort }
              : {}),
            HealthCheckEnabled: true,
            ...toSdkHealthCheck(want.healthCheck, want.protocolVersion),
            Tags: toSdkTags(want.tags),
          }),
          sendOptions(ctx),
        ),
      );
      const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
      state.targetGroups.set(want.id, arn);
      await setAttributes(ctx, arn, want.attributes);
      return;
    }
    case 'update': {
      const arn = step.actual.arn;
      const want = step.desired;
      const health = new Set(
        keyedFields(step.fields, 'healthCheck').filter(
          (f): f is keyof HealthCheck => f in want.healthCheck,
        ),
      );
      if (health.size > 0) {
        await call(ctx, 'ModifyTargetGroup', () =>
          ctx.clients.elbv2.send(
            new ModifyTargetGroupCommand({
              TargetGroupArn: arn,
              ...toSdkHealthCheck(want.healthCheck, want.protocolVersion, health),
            }),
            sendOptions(ctx),
          ),
        );
      }
      await setAttributes(ctx, arn, pick(want.attributes, keyedFields(step.fields, 'attributes')));
      await addChangedTags(ctx, arn, want.tags, step.fields);
      return;
    }
    case 'delete':
    case 'delete-replaced':
    case 'delete-duplicate': {
      // ResourceInUse for a moment after the last rule forwarding to it moved away.
      await callRetrying(ctx, 'DeleteTargetGroup', () =>
        unlessGone('TargetGroupNotFound', () =>
          ctx.clients.elbv2.send(
            new DeleteTargetGroupCommand({ TargetGroupArn: step.actual.arn }),
            sendOptions(ctx),
          ),
        ),
      );
      if (step.step === 'delete') state.targetGroups.delete(step.id);
      return;
    }
  }
}
