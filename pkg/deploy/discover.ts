/**
 * Discovery: what exists in AWS for one stack, found by the ownership tags and nothing
 * else. One Resource Groups Tagging API call finds the stack's load balancer and target
 * groups (the API does not list ALB listeners and rules; see below); everything else is
 * described by ARN or by tag filter, never by listing the region. A resource without our
 * cluster tag is never returned, so it is never modified or deleted. The tagging index
 * lags behind ELBv2 on AWS, so what it lists is confirmed by ELBv2 describes and what it
 * misses is looked up by ARN or by name (stack-resources.ts).
 *
 * Reads for a stack with L listeners, T target groups and R rules: 1 tagging call, then
 * in parallel 1 DescribeLoadBalancers + 1 attributes + 1 DescribeListeners, L
 * DescribeRules and L listener attributes, ⌈(L+R)/20⌉ DescribeTags, ⌈T/20⌉
 * DescribeTargetGroups, T attributes and T DescribeTargetHealth, 1 DescribeSecurityGroups
 * and 1 DescribeSecurityGroupRules (and one certificate read per HTTPS listener).
 *
 * Duplicates (duplicates.ts): every load balancer of the stack is read so, not only the
 * first; a second one costs its own reads, paid only while it exists.
 */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { SecurityGroup as SdkSecurityGroup, SecurityGroupRule } from '@aws-sdk/client-ec2';
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroup as SdkTargetGroup } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../aws/index.ts';
import type {
  ActualBackendAccessRule,
  ActualDuplicate,
  ActualListener,
  ActualListenerRule,
  ActualLoadBalancer,
  ActualSecurityGroup,
  ActualStack,
  ActualTargetGroup,
  SecurityGroupRef,
  Tags,
  Target,
} from '../model/index.ts';
import { TAG_CLUSTER, TAG_INGRESS, TAG_RESOURCE, TAG_STACK } from '../naming/index.ts';
import { fromSdkMutualAuthentication, withSecretDigest } from './auth-secrets.ts';
import { findBackendSecurityGroup, SHARED_BACKEND_ID } from './backend-security-group.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';
import {
  fromSdkActions,
  fromSdkAttributes,
  fromSdkConditions,
  fromSdkHealthCheck,
  fromSdkPermissions,
  fromSdkTags,
  fromSdkTransforms,
} from './from-sdk.ts';
import { readLoadBalancer } from './discover-load-balancer.ts';
import type { ReadListener, ReadLoadBalancer, ReadRule } from './discover-load-balancer.ts';
import {
  forwardedArns,
  keepListener,
  keepLoadBalancer,
  keepRule,
  keepSecurityGroup,
  keepTargetGroup,
  splitDuplicates,
} from './duplicates.ts';
import type { Kept } from './duplicates.ts';
import { taggedResources } from './lagging-index.ts';
import { findStackResources } from './stack-resources.ts';
import type { DiscoveryHints } from './stack-resources.ts';
import { describeTaggedSecurityGroupRules } from './tagged-security-group-rules.ts';

function mtlsOf(m: Parameters<typeof fromSdkMutualAuthentication>[0]) {
  const mutualAuthentication = fromSdkMutualAuthentication(m);
  return mutualAuthentication === undefined ? {} : { mutualAuthentication };
}

function isOurs(tags: Tags, ctx: DeployContext, stackId: string): boolean {
  return tags[TAG_CLUSTER] === ctx.clusterName && tags[TAG_STACK] === stackId;
}

/**
 * The stack ids of this cluster that have a load balancer, target group or security
 * group in AWS: what garbage collection compares with the groups that still exist. One
 * tagging call and one EC2 describe: a stack whose only remnant is a security group AWS
 * still held when the controller restarted (docs/decisions/0016) must not be forgotten.
 */
export async function listStacks(ctx: DeployContext): Promise<string[]> {
  const [found, groups] = await Promise.all([
    taggedResources(ctx, [{ Key: TAG_CLUSTER, Values: [ctx.clusterName] }]),
    describeStackSecurityGroups(ctx),
  ]);
  const ids = new Set<string>();
  for (const tags of [...found.values(), ...groups.map((g) => fromSdkTags(g.Tags))]) {
    const stack = tags[TAG_STACK];
    if (stack !== undefined && tags[TAG_CLUSTER] === ctx.clusterName) ids.add(stack);
  }
  return [...ids].sort();
}

export { describeRules } from './discover-load-balancer.ts';

async function registeredTargets(ctx: DeployContext, arn: string): Promise<Target[]> {
  const health = await call(ctx, 'DescribeTargetHealth', () =>
    ctx.clients.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: arn }),
      sendOptions(ctx),
    ),
  );
  return (health.TargetHealthDescriptions ?? []).flatMap((d) =>
    d.Target?.Id === undefined ||
    d.Target.Port === undefined ||
    d.TargetHealth?.State === 'draining'
      ? []
      : [{ id: d.Target.Id, port: d.Target.Port }],
  );
}

/** `tg/<namespace>/<name>/<service>:<port>` → `<namespace>/<service>:<port>`. */
function serviceOf(id: string, member: string): string {
  const prefix = `tg/${member}/`;
  const namespace = member.split('/')[0] ?? '';
  return id.startsWith(prefix) ? `${namespace}/${id.slice(prefix.length)}` : '';
}

async function toActualTargetGroup(
  ctx: DeployContext,
  tg: SdkTargetGroup,
  tags: Tags,
): Promise<ActualTargetGroup | null> {
  const arn = tg.TargetGroupArn;
  const id = tags[TAG_RESOURCE];
  if (arn === undefined || id === undefined) return null;
  let attributes, targets;
  try {
    [attributes, targets] = await Promise.all([
      call(ctx, 'DescribeTargetGroupAttributes', () =>
        ctx.clients.elbv2.send(
          new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }),
          sendOptions(ctx),
        ),
      ),
      registeredTargets(ctx, arn),
    ]);
  } catch (err) {
    // Deleted since it was described: it is not part of the stack any more.
    if (err instanceof AwsError && err.code === 'TargetGroupNotFound') return null;
    throw err;
  }
  const member = tags[TAG_INGRESS] ?? '';
  return {
    id,
    arn,
    name: tg.TargetGroupName ?? '',
    member,
    service: serviceOf(id, member),
    targetType: tg.TargetType === 'ip' ? 'ip' : 'instance',
    protocol: tg.Protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
    protocolVersion:
      tg.ProtocolVersion === 'GRPC' ? 'GRPC' : tg.ProtocolVersion === 'HTTP2' ? 'HTTP2' : 'HTTP1',
    port: tg.Port ?? 0,
    ipAddressType: tg.IpAddressType === 'ipv6' ? 'ipv6' : 'ipv4',
    ...(tg.TargetControlPort !== undefined ? { targetControlPort: tg.TargetControlPort } : {}),
    healthCheck: fromSdkHealthCheck(tg),
    attributes: fromSdkAttributes(attributes.Attributes),
    tags,
    targets,
  };
}

/** The cluster's security groups of any stack (the shared backend group has no stack tag). */
function describeStackSecurityGroups(ctx: DeployContext) {
  return describeSecurityGroups(ctx, undefined);
}

async function describeSecurityGroups(ctx: DeployContext, stackId: string | undefined) {
  const groups: SdkSecurityGroup[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, 'DescribeSecurityGroups', () =>
      ctx.clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [ctx.vpcId] },
            { Name: `tag:${TAG_CLUSTER}`, Values: [ctx.clusterName] },
            stackId === undefined
              ? { Name: 'tag-key', Values: [TAG_STACK] }
              : { Name: `tag:${TAG_STACK}`, Values: [stackId] },
          ],
          ...(token === undefined ? {} : { NextToken: token }),
        }),
        sendOptions(ctx),
      ),
    );
    groups.push(...(page.SecurityGroups ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return groups;
}

function describeBackendRules(ctx: DeployContext, stackId: string) {
  return describeTaggedSecurityGroupRules(ctx, {
    [TAG_CLUSTER]: ctx.clusterName,
    [TAG_STACK]: stackId,
  });
}

const BACKEND_RULE_ID = /^backend\/(.+)\/(\d+)-(\d+)(?:\/sg-[0-9a-f]+)?$/;

function toActualBackendRule(
  rule: SecurityGroupRule,
  ctx: DeployContext,
  stackId: string,
): ActualBackendAccessRule | null {
  const tags = fromSdkTags(rule.Tags);
  const id = tags[TAG_RESOURCE];
  if (
    !isOurs(tags, ctx, stackId) ||
    id === undefined ||
    rule.IsEgress === true ||
    rule.GroupId === undefined ||
    rule.SecurityGroupRuleId === undefined
  ) {
    return null;
  }
  return {
    id,
    targetGroupId: BACKEND_RULE_ID.exec(id)?.[1] ?? '',
    securityGroupId: rule.GroupId,
    securityGroupRuleId: rule.SecurityGroupRuleId,
    fromPort: rule.FromPort ?? -1,
    toPort: rule.ToPort ?? -1,
  };
}

function toActualLoadBalancer(
  read: ReadLoadBalancer,
  securityGroupRef: (groupId: string) => SecurityGroupRef,
): ActualLoadBalancer {
  const { lb, tags } = read;
  return {
    id: tags[TAG_RESOURCE] ?? '',
    arn: read.arn,
    dnsName: (lb.DNSName ?? '').toLowerCase(),
    name: lb.LoadBalancerName ?? '',
    scheme: lb.Scheme === 'internet-facing' ? 'internet-facing' : 'internal',
    ipAddressType:
      lb.IpAddressType === 'dualstack' || lb.IpAddressType === 'dualstack-without-public-ipv4'
        ? lb.IpAddressType
        : 'ipv4',
    subnets: {
      kind: 'resolved',
      subnetIds: (lb.AvailabilityZones ?? []).flatMap((az) =>
        az.SubnetId === undefined ? [] : [az.SubnetId],
      ),
    },
    securityGroups: (lb.SecurityGroups ?? []).map(securityGroupRef),
    attributes: read.attributes,
    tags,
    ...(lb.CustomerOwnedIpv4Pool === undefined || lb.CustomerOwnedIpv4Pool === ''
      ? {}
      : { customerOwnedIpv4Pool: lb.CustomerOwnedIpv4Pool }),
    ...(lb.IpamPools?.Ipv4IpamPoolId === undefined
      ? {}
      : { ipamIpv4PoolId: lb.IpamPools.Ipv4IpamPoolId }),
    ...(read.capacityUnits === undefined ? {} : { minimumCapacityUnits: read.capacityUnits }),
  };
}

function toActualListener(
  read: ReadListener,
  idOfTargetGroup: (arn: string) => string | undefined,
): ActualListener {
  const { listener, tags } = read;
  return {
    id: read.id,
    arn: read.arn,
    port: listener.Port ?? 0,
    protocol: listener.Protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
    certificates: read.certificates,
    ...(listener.SslPolicy === undefined || listener.Protocol !== 'HTTPS'
      ? {}
      : { sslPolicy: listener.SslPolicy }),
    defaultActions: withSecretDigest(
      fromSdkActions(listener.DefaultActions, idOfTargetGroup),
      tags,
    ),
    ...(listener.Protocol === 'HTTPS' && listener.MutualAuthentication !== undefined
      ? mtlsOf(listener.MutualAuthentication)
      : {}),
    attributes: read.attributes,
    tags,
  };
}

export function toActualRule(
  read: ReadRule,
  listenerId: string,
  idOfTargetGroup: (arn: string) => string | undefined,
): ActualListenerRule {
  const { rule, tags } = read;
  return {
    id: read.id,
    arn: read.arn,
    listenerId,
    priority: Number(rule.Priority),
    member: tags[TAG_INGRESS] ?? '',
    conditions: fromSdkConditions(rule.Conditions),
    actions: withSecretDigest(fromSdkActions(rule.Actions, idOfTargetGroup), tags),
    transforms: fromSdkTransforms(rule.Transforms),
    tags,
  };
}

/** Of the stack's load balancers, the one kept; the others are duplicates. */
function chooseLoadBalancer(
  candidates: readonly ReadLoadBalancer[],
  addresses: readonly string[],
): Kept<ReadLoadBalancer> | null {
  const [only] = candidates;
  if (only === undefined) return null;
  if (candidates.length === 1) return { kept: only, extras: [], because: '' };
  return keepLoadBalancer(candidates, new Set(addresses.map((a) => a.toLowerCase())));
}

/**
 * The stack `stackId` as it exists in AWS, or `null` when nothing of it exists. Reads
 * only; every resource returned carries our cluster and stack tags. The load balancer
 * and target groups are confirmed by ELBv2 (stack-resources.ts), so a lagging tagging
 * index neither fails discovery nor hides them. A stack resource found more than once is
 * returned once, the one in use (duplicates.ts), and the others in `duplicates`; only the
 * one kept is mapped to its stack id, so whatever uses another differs from the desired
 * stack and the planner moves it.
 */
export async function discoverStack(
  ctx: DeployContext,
  stackId: string,
  hints: DiscoveryHints = {},
): Promise<ActualStack | null> {
  const [found, sdkGroups, sdkBackendRules, backendGroupId] = await Promise.all([
    findStackResources(ctx, stackId, hints),
    describeSecurityGroups(ctx, stackId),
    describeBackendRules(ctx, stackId),
    findBackendSecurityGroup(ctx),
  ]);
  const [candidates, foundTargetGroups] = await Promise.all([
    Promise.all(
      found.loadBalancers.map(({ lb, tags }) => readLoadBalancer(ctx, stackId, lb, tags)),
    ),
    Promise.all(found.targetGroups.map(({ tg, tags }) => toActualTargetGroup(ctx, tg, tags))),
  ]);
  const duplicates: ActualDuplicate[] = [];

  // The load balancer, its listeners (one per port) and rules (one per id and listener).
  const lbChoice = chooseLoadBalancer(candidates, hints.addresses ?? []);
  const kept = lbChoice?.kept ?? null;
  const listenerSplit = splitDuplicates(
    kept?.listeners ?? [],
    (l) => String(l.listener.Port ?? 0),
    keepListener,
  );
  const ruleSplits = listenerSplit.kept.map((l) => ({
    listener: l,
    split: splitDuplicates(
      l.rules.map((r) => ({ read: r, arn: r.arn, priority: Number(r.rule.Priority) })),
      (r) => r.read.id,
      keepRule,
    ),
  }));
  const forwards = new Map<string, number>();
  for (const { listener, split } of ruleSplits) {
    for (const arn of [
      ...forwardedArns(listener.listener.DefaultActions),
      ...split.kept.flatMap((r) => forwardedArns(r.read.rule.Actions)),
    ]) {
      forwards.set(arn, (forwards.get(arn) ?? 0) + 1);
    }
  }

  // Target groups: only the one kept of each id is known by its id.
  const wantedNames = new Set(hints.targetGroupNames ?? []);
  const tgSplit = splitDuplicates(
    foundTargetGroups.filter((tg) => tg !== null),
    (tg) => tg.id,
    (group) => keepTargetGroup(group, forwards, wantedNames),
  );
  const targetGroups = tgSplit.kept;
  for (const { kept: keptGroup, extras, because } of tgSplit.duplicates) {
    for (const actual of extras) {
      duplicates.push({
        kind: 'TargetGroup',
        actual,
        keptArn: keptGroup.arn,
        keptBecause: because,
      });
    }
  }
  const targetGroupIds = new Map(targetGroups.map((tg) => [tg.arn, tg.id]));
  const idOfTargetGroup = (arn: string) => targetGroupIds.get(arn);

  // Security groups: likewise, the one the load balancer uses.
  const ourGroups = sdkGroups.flatMap((g) => {
    const tags = fromSdkTags(g.Tags);
    const id = tags[TAG_RESOURCE];
    if (g.GroupId === undefined || id === undefined || !isOurs(tags, ctx, stackId)) return [];
    return [{ g, id, groupId: g.GroupId, tags }];
  });
  const sgSplit = splitDuplicates(
    ourGroups,
    (g) => g.id,
    (group) => keepSecurityGroup(group, new Set(kept?.lb.SecurityGroups ?? [])),
  );
  const groupIds = new Map(sgSplit.kept.map((g) => [g.groupId, g.id]));
  const refOf = (groupId: string): string =>
    groupId === backendGroupId ? SHARED_BACKEND_ID : (groupIds.get(groupId) ?? groupId);
  const toActualGroup = ({ g, id, groupId, tags }: (typeof ourGroups)[number]) => ({
    id,
    groupId,
    name: g.GroupName ?? '',
    description: g.Description ?? '',
    ingress: fromSdkPermissions(g.IpPermissions, refOf),
    tags,
  });
  const securityGroups: ActualSecurityGroup[] = sgSplit.kept.map(toActualGroup);
  for (const { kept: keptGroup, extras, because } of sgSplit.duplicates) {
    for (const extra of extras) {
      duplicates.push({
        kind: 'SecurityGroup',
        actual: toActualGroup(extra),
        keptArn: keptGroup.groupId,
        keptBecause: because,
      });
    }
  }
  const securityGroupRef = (groupId: string): SecurityGroupRef => {
    const ref = refOf(groupId);
    if (ref === SHARED_BACKEND_ID) return { kind: 'shared-backend' };
    return groupIds.has(groupId)
      ? { kind: 'managed', id: ref }
      : { kind: 'listed', entry: groupId };
  };

  const backendRules = sdkBackendRules.flatMap((rule) => {
    const actual = toActualBackendRule(rule, ctx, stackId);
    return actual === null ? [] : [actual];
  });

  const loadBalancer = kept === null ? null : toActualLoadBalancer(kept, securityGroupRef);
  for (const extra of lbChoice?.extras ?? []) {
    duplicates.push({
      kind: 'LoadBalancer',
      actual: toActualLoadBalancer(extra, securityGroupRef),
      keptArn: kept?.arn ?? '',
      keptBecause: lbChoice?.because ?? '',
    });
  }
  const listeners = listenerSplit.kept.map((l) => toActualListener(l, idOfTargetGroup));
  for (const { kept: keptListener, extras, because } of listenerSplit.duplicates) {
    for (const extra of extras) {
      duplicates.push({
        kind: 'Listener',
        actual: toActualListener(extra, idOfTargetGroup),
        rules: extra.rules.map((r) => toActualRule(r, extra.id, idOfTargetGroup)),
        keptArn: keptListener.arn,
        keptBecause: because,
      });
    }
  }
  const rules: ActualListenerRule[] = [];
  for (const { listener, split } of ruleSplits) {
    rules.push(...split.kept.map((r) => toActualRule(r.read, listener.id, idOfTargetGroup)));
    for (const { kept: keptRule, extras, because } of split.duplicates) {
      for (const extra of extras) {
        duplicates.push({
          kind: 'ListenerRule',
          actual: toActualRule(extra.read, listener.id, idOfTargetGroup),
          keptArn: keptRule.arn,
          keptBecause: because,
        });
      }
    }
  }

  if (
    loadBalancer === null &&
    targetGroups.length === 0 &&
    securityGroups.length === 0 &&
    backendRules.length === 0
  ) {
    return null;
  }
  return {
    id: stackId,
    loadBalancer,
    listeners,
    rules,
    targetGroups,
    securityGroups,
    backendRules,
    ...(duplicates.length === 0 ? {} : { duplicates }),
  };
}
