/** The managed frontend security group: create tagged, authorize/revoke by difference, delete. */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission } from '@aws-sdk/client-ec2';
import { awsErrorCode } from '../aws/index.ts';
import type { SecurityGroup, SecurityGroupIngress } from '../model/index.ts';
import { TAG_STACK } from '../naming/index.ts';
import type { ResourceStep } from '../plan/index.ts';
import { ensureBackendSecurityGroup, SHARED_BACKEND_ID } from './backend-security-group.ts';
import { call, callRetrying, eachUnlessDone, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { keyedFields, pick } from './fields.ts';
import { fromSdkTags } from './from-sdk.ts';
import { notOurs, ownedBy } from './ownership.ts';
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
  const permissions = await Promise.all(rules.map((r) => toPermission(ctx, state, r)));
  await eachUnlessDone('InvalidPermission.Duplicate', permissions, (batch) =>
    callRetrying(ctx, 'AuthorizeSecurityGroupIngress', () =>
      ctx.clients.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: batch }),
        sendOptions(ctx),
      ),
    ),
  );
}

async function revoke(
  ctx: DeployContext,
  state: ApplyState,
  groupId: string,
  rules: readonly SecurityGroupIngress[],
): Promise<void> {
  const permissions = await Promise.all(rules.map((r) => toPermission(ctx, state, r)));
  await eachUnlessDone('InvalidPermission.NotFound', permissions, (batch) =>
    call(ctx, 'RevokeSecurityGroupIngress', () =>
      ctx.clients.ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: batch }),
        sendOptions(ctx),
      ),
    ),
  );
}

/**
 * Creates the group; one that answers InvalidGroup.Duplicate is looked up by name in the
 * VPC and used only when it carries our tags for this very resource (a create retried
 * after its answer was lost, or a crash between create and the next discovery).
 */
async function create(ctx: DeployContext, want: SecurityGroup): Promise<string> {
  try {
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
    return created.GroupId ?? '';
  } catch (err) {
    if (awsErrorCode(err) !== 'InvalidGroup.Duplicate') throw err;
    const found = await call(ctx, 'DescribeSecurityGroups', () =>
      ctx.clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [ctx.vpcId] },
            { Name: 'group-name', Values: [want.name] },
          ],
        }),
        sendOptions(ctx),
      ),
    );
    const group = found.SecurityGroups?.find((g) => g.GroupName === want.name);
    // Refused as a duplicate yet not listed: EC2's describe lags; the retry finds it.
    if (group?.GroupId === undefined) throw err;
    const stackId = want.tags[TAG_STACK] ?? '';
    if (!ownedBy(fromSdkTags(group.Tags), ctx, stackId, want.id)) {
      throw notOurs(ctx, stackId, `security group "${want.name}" in ${ctx.vpcId}`, group.GroupId);
    }
    return group.GroupId;
  }
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
      const groupId = await create(ctx, want);
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
    case 'delete-replaced': {
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
