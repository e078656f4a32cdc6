/**
 * The security group rules a TargetGroupBinding's `networking` asks for, on its targets'
 * security groups. Found by our tags only (see pkg/naming/binding.ts), so a rule anyone
 * else added, even an identical one, is never revoked; revoked by rule id.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { IpPermission, SecurityGroupRule } from '@aws-sdk/client-ec2';
import { awsErrorCode } from '../aws/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE } from '../naming/index.ts';
import { bindingRuleKey } from '../translate/index.ts';
import type { BindingRule } from '../translate/index.ts';
import { call, callRetrying, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { fromSdkTags } from './from-sdk.ts';
import { describeTaggedSecurityGroupRules } from './tagged-security-group-rules.ts';

export interface ActualBindingRule {
  readonly securityGroupId: string;
  readonly securityGroupRuleId: string;
  readonly key: string;
}

function keyOf(rule: SecurityGroupRule): string | undefined {
  const protocol = rule.IpProtocol;
  if (protocol !== 'tcp' && protocol !== 'udp') return undefined;
  const peer = rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.ReferencedGroupInfo?.GroupId;
  if (peer === undefined) return undefined;
  const r: BindingRule = {
    protocol,
    fromPort: rule.FromPort ?? 0,
    toPort: rule.ToPort ?? 65535,
    cidr: peer,
  };
  return bindingRuleKey(r);
}

/** The rules tagged for this binding: one tag-filtered read per page. */
export async function discoverBindingRules(
  ctx: DeployContext,
  resourceId: string,
): Promise<ActualBindingRule[]> {
  const rules = await describeTaggedSecurityGroupRules(ctx, {
    [TAG_CLUSTER]: ctx.clusterName,
    [TAG_RESOURCE]: resourceId,
  });
  return rules.flatMap((rule) => {
    const tags = fromSdkTags(rule.Tags);
    // Filters are trusted only as far as the tags the rule really carries.
    if (tags[TAG_CLUSTER] !== ctx.clusterName || tags[TAG_RESOURCE] !== resourceId) return [];
    if (rule.IsEgress === true || rule.GroupId === undefined) return [];
    if (rule.SecurityGroupRuleId === undefined) return [];
    const key = keyOf(rule);
    return key === undefined
      ? []
      : [{ securityGroupId: rule.GroupId, securityGroupRuleId: rule.SecurityGroupRuleId, key }];
  });
}

function permission(rule: BindingRule, description: string): IpPermission {
  return {
    IpProtocol: rule.protocol,
    FromPort: rule.fromPort,
    ToPort: rule.toPort,
    ...(rule.cidr === undefined
      ? {}
      : rule.cidr.includes(':')
        ? { Ipv6Ranges: [{ CidrIpv6: rule.cidr, Description: description }] }
        : { IpRanges: [{ CidrIp: rule.cidr, Description: description }] }),
    ...(rule.sourceGroupId === undefined
      ? {}
      : { UserIdGroupPairs: [{ GroupId: rule.sourceGroupId, Description: description }] }),
  };
}

export interface BindingRulesResult {
  readonly authorized: number;
  readonly revoked: number;
}

/**
 * Makes the tagged rules of `resourceId` equal to `rules` on each of `groupIds`:
 * authorize what is missing (before revoking, so access never lapses), then revoke what
 * is tagged for the binding and no longer wanted. Empty `rules` revokes them all.
 */
export async function syncBindingRules(
  ctx: DeployContext,
  resourceId: string,
  groupIds: readonly string[],
  rules: readonly BindingRule[],
): Promise<BindingRulesResult> {
  const actual = await discoverBindingRules(ctx, resourceId);
  const have = new Set(actual.map((a) => `${a.securityGroupId}|${a.key}`));
  const want = new Set<string>();
  let authorized = 0;
  for (const groupId of groupIds) {
    for (const rule of rules) {
      // A peer group and a CIDR are both read back as the rule's peer; key them alike.
      const key = `${groupId}|${bindingRuleKey({ ...rule, cidr: rule.cidr ?? rule.sourceGroupId ?? '' })}`;
      want.add(key);
      if (have.has(key)) continue;
      try {
        await callRetrying(ctx, 'AuthorizeSecurityGroupIngress', () =>
          ctx.clients.ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: groupId,
              IpPermissions: [permission(rule, `albatross ${resourceId}`)],
              TagSpecifications: [
                {
                  ResourceType: 'security-group-rule',
                  Tags: [
                    { Key: TAG_CLUSTER, Value: ctx.clusterName },
                    { Key: TAG_RESOURCE, Value: resourceId },
                  ],
                },
              ],
            }),
            sendOptions(ctx),
          ),
        );
        authorized += 1;
      } catch (err) {
        // EC2 keeps one rule per (group, protocol, ports, peer): someone else's identical
        // rule already grants this access, and it is not ours to tag or later revoke.
        if (awsErrorCode(err) !== 'InvalidPermission.Duplicate') throw err;
      }
    }
  }
  const stale = new Map<string, string[]>();
  for (const a of actual) {
    if (want.has(`${a.securityGroupId}|${a.key}`)) continue;
    stale.set(a.securityGroupId, [...(stale.get(a.securityGroupId) ?? []), a.securityGroupRuleId]);
  }
  let revoked = 0;
  for (const [groupId, ruleIds] of stale) {
    await call(ctx, 'RevokeSecurityGroupIngress', () =>
      unlessGone('InvalidPermission.NotFound', () =>
        ctx.clients.ec2.send(
          new RevokeSecurityGroupIngressCommand({
            GroupId: groupId,
            SecurityGroupRuleIds: ruleIds,
          }),
          sendOptions(ctx),
        ),
      ),
    );
    revoked += ruleIds.length;
  }
  return { authorized, revoked };
}
