/** The managed frontend security group: create tagged, authorize/revoke by difference, delete. */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import type { SecurityGroupIngress } from '../model/index.ts';
import type { ResourceStep } from '../plan/index.ts';
import { ensureBackendSecurityGroup, SHARED_BACKEND_ID } from './backend-security-group.ts';
import { call, callRetrying, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { keyedFields, pick } from './fields.ts';
import type { ApplyState } from './resolve.ts';
import { toSdkTags } from './to-sdk.ts';

type SecurityGroupStep = Extract<ResourceStep, { kind: 'SecurityGroup' }>;

async function toPermission(
  ctx: DeployContext,
  state: ApplyState,
  rule: SecurityGroupIngress,
): Promise<IpPermission> {
  const description = rule.description === undefined ? {} : { Description: rule.description };
  const base: IpPermission = {
    IpProtocol: rule.protocol,
    ...(rule.protocol === '-1' ? {} : { FromPort: rule.fromPort, ToPort: rule.toPort }),
  };
  if (rule.cidrIpv4 !== undefined)
    return { ...base, IpRanges: [{ CidrIp: rule.cidrIpv4, ...description }] };
  if (rule.cidrIpv6 !== undefined) {
    return { ...base, Ipv6Ranges: [{ CidrIpv6: rule.cidrIpv6, ...description }] };
  }
  if (rule.prefixListId !== undefined) {
    return { ...base, PrefixListIds: [{ PrefixListId: rule.prefixListId, ...description }] };
  }
  const ref = rule.sourceGroupRef ?? '';
  const groupId =
    ref === SHARED_BACKEND_ID
      ? await ensureBackendSecurityGroup(ctx)
      : ref.startsWith('sg-')
        ? ref
        : state.securityGroup(ref);
  return { ...base, UserIdGroupPairs: [{ GroupId: groupId, ...description }] };
}

async function authorize(
  ctx: DeployContext,
  state: ApplyState,
  groupId: string,
  rules: readonly SecurityGroupIngress[],
): Promise<void> {
  if (rules.length === 0) return;
  const permissions = await Promise.all(rules.map((r) => toPermission(ctx, state, r)));
  await callRetrying(ctx, 'AuthorizeSecurityGroupIngress', () =>
    ctx.clients.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions }),
      sendOptions(ctx),
    ),
  );
}

async function revoke(
  ctx: DeployContext,
  state: ApplyState,
  groupId: string,
  rules: readonly SecurityGroupIngress[],
): Promise<void> {
  if (rules.length === 0) return;
  const permissions = await Promise.all(rules.map((r) => toPermission(ctx, state, r)));
  await call(ctx, 'RevokeSecurityGroupIngress', () =>
    ctx.clients.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions }),
      sendOptions(ctx),
    ),
  );
}

export async function applySecurityGroup(
  ctx: DeployContext,
  state: ApplyState,
  step: SecurityGroupStep,
): Promise<void> {
  switch (step.step) {
    case 'create':
    case 'replace': {
      const want = step.desired;
      const created = await call(ctx, 'CreateSecurityGroup', () =>
        ctx.clients.ec2.send(
          new CreateSecurityGroupCommand({
            VpcId: ctx.vpcId,
            GroupName: want.name,
            Description: want.description,
            TagSpecifications: [{ ResourceType: 'security-group', Tags: toSdkTags(want.tags) }],
          }),
          sendOptions(ctx),
        ),
      );
      const groupId = created.GroupId ?? '';
      state.securityGroups.set(want.id, groupId);
      await authorize(ctx, state, groupId, want.ingress);
      return;
    }
    case 'update': {
      const groupId = step.actual.groupId;
      // Revoke first: a permission changing only its description is revoked and
      // authorized again, and EC2 refuses a duplicate of one that still exists.
      await revoke(ctx, state, groupId, step.revoke);
      await authorize(ctx, state, groupId, step.authorize);
      const tags = pick(step.desired.tags, keyedFields(step.fields, 'tags'));
      if (Object.keys(tags).length > 0) {
        await call(ctx, 'CreateTags', () =>
          ctx.clients.ec2.send(
            new CreateTagsCommand({ Resources: [groupId], Tags: toSdkTags(tags) }),
            sendOptions(ctx),
          ),
        );
      }
      return;
    }
    case 'delete':
    case 'delete-replaced':
    case 'delete-duplicate': {
      // Just after its ALB is deleted, EC2 still sees the group in use for a while.
      await callRetrying(ctx, 'DeleteSecurityGroup', () =>
        unlessGone('InvalidGroup.NotFound', () =>
          ctx.clients.ec2.send(
            new DeleteSecurityGroupCommand({ GroupId: step.actual.groupId }),
            sendOptions(ctx),
          ),
        ),
      );
      if (step.step === 'delete') state.securityGroups.delete(step.id);
      return;
    }
  }
}
