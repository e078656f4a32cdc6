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
 */
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import type { SecurityGroup as SdkSecurityGroup, SecurityGroupRule } from '@aws-sdk/client-ec2';
import {
  DescribeListenerAttributesCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Listener as SdkListener,
  Rule as SdkRule,
  TargetGroup as SdkTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../aws/index.ts';
import type {
  ActualBackendAccessRule,
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
import { describeTags, taggedResources } from './lagging-index.ts';
import { describeCapacityUnits } from './load-balancer-addressing.ts';
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
 * The stack ids of this cluster that have a load balancer or target group in AWS: what
 * garbage collection compares with the groups that still exist. One tagging call.
 */
export async function listStacks(ctx: DeployContext): Promise<string[]> {
  const found = await taggedResources(ctx, [{ Key: TAG_CLUSTER, Values: [ctx.clusterName] }]);
  const ids = new Set<string>();
  for (const tags of found.values()) {
    const stack = tags[TAG_STACK];
    if (stack !== undefined && tags[TAG_CLUSTER] === ctx.clusterName) ids.add(stack);
  }
  return [...ids].sort();
}

async function describeListeners(ctx: DeployContext, loadBalancerArn: string) {
  const listeners: SdkListener[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeListeners', () =>
      ctx.clients.elbv2.send(
        new DescribeListenersCommand({
          LoadBalancerArn: loadBalancerArn,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    listeners.push(...(page.Listeners ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined);
  return listeners;
}

/** A listener's rules, the default rule left out. */
export async function describeRules(ctx: DeployContext, listenerArn: string) {
  const rules: SdkRule[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeRules', () =>
      ctx.clients.elbv2.send(
        new DescribeRulesCommand({
          ListenerArn: listenerArn,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined);
  return rules.filter((rule) => rule.IsDefault !== true);
}

/** A rule as the planner compares it: our target groups named by stack id. */
export function toActualRule(
  rule: SdkRule,
  arn: string,
  listenerId: string,
  tags: Tags,
  idOfTargetGroup: (arn: string) => string | undefined,
): ActualListenerRule {
  return {
    id: tags[TAG_RESOURCE] ?? '',
    arn,
    listenerId,
    priority: Number(rule.Priority),
    member: tags[TAG_INGRESS] ?? '',
    conditions: fromSdkConditions(rule.Conditions),
    actions: withSecretDigest(fromSdkActions(rule.Actions, idOfTargetGroup), tags),
    transforms: fromSdkTransforms(rule.Transforms),
    tags,
  };
}

/** Certificates with the default first: DescribeListeners reports only the default. */
async function listenerCertificates(ctx: DeployContext, listener: SdkListener) {
  if (listener.Protocol !== 'HTTPS' || listener.ListenerArn === undefined) return [];
  const arn = listener.ListenerArn;
  const all: { certificateArn: string; isDefault: boolean }[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeListenerCertificates', () =>
      ctx.clients.elbv2.send(
        new DescribeListenerCertificatesCommand({
          ListenerArn: arn,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    for (const c of page.Certificates ?? []) {
      if (c.CertificateArn !== undefined) {
        all.push({ certificateArn: c.CertificateArn, isDefault: c.IsDefault === true });
      }
    }
    marker = page.NextMarker;
  } while (marker !== undefined);
  const defaults = (listener.Certificates ?? []).flatMap((c) =>
    c.CertificateArn === undefined ? [] : [c.CertificateArn],
  );
  const first = all.find((c) => c.isDefault)?.certificateArn ?? defaults[0];
  const rest = all.filter((c) => !c.isDefault && c.certificateArn !== first);
  return [
    ...(first === undefined ? [] : [{ certificateArn: first }]),
    ...rest.map((c) => ({ certificateArn: c.certificateArn })),
  ];
}

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

async function describeSecurityGroups(ctx: DeployContext, stackId: string) {
  const groups: SdkSecurityGroup[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, 'DescribeSecurityGroups', () =>
      ctx.clients.ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [ctx.vpcId] },
            { Name: `tag:${TAG_CLUSTER}`, Values: [ctx.clusterName] },
            { Name: `tag:${TAG_STACK}`, Values: [stackId] },
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

/**
 * The stack `stackId` as it exists in AWS, or `null` when nothing of it exists. Reads
 * only; every resource returned carries our cluster and stack tags. The load balancer
 * and target groups are confirmed by ELBv2 (stack-resources.ts), so a lagging tagging
 * index neither fails discovery nor hides them.
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
  const foundLb = found.loadBalancer;

  const targetGroups = (
    await Promise.all(found.targetGroups.map(({ tg, tags }) => toActualTargetGroup(ctx, tg, tags)))
  ).filter((tg) => tg !== null);
  const targetGroupIds = new Map(targetGroups.map((tg) => [tg.arn, tg.id]));
  const idOfTargetGroup = (arn: string) => targetGroupIds.get(arn);

  const groupIds = new Map<string, string>();
  for (const g of sdkGroups) {
    const id = fromSdkTags(g.Tags)[TAG_RESOURCE];
    if (g.GroupId !== undefined && id !== undefined) groupIds.set(g.GroupId, id);
  }
  const refOf = (groupId: string): string =>
    groupId === backendGroupId ? SHARED_BACKEND_ID : (groupIds.get(groupId) ?? groupId);
  const securityGroups: ActualSecurityGroup[] = sdkGroups.flatMap((g) => {
    const tags = fromSdkTags(g.Tags);
    const id = tags[TAG_RESOURCE];
    if (g.GroupId === undefined || id === undefined || !isOurs(tags, ctx, stackId)) return [];
    return [
      {
        id,
        groupId: g.GroupId,
        name: g.GroupName ?? '',
        description: g.Description ?? '',
        ingress: fromSdkPermissions(g.IpPermissions, refOf),
        tags,
      },
    ];
  });

  const backendRules = sdkBackendRules.flatMap((rule) => {
    const actual = toActualBackendRule(rule, ctx, stackId);
    return actual === null ? [] : [actual];
  });

  let loadBalancer: ActualLoadBalancer | null = null;
  const listeners: ActualListener[] = [];
  const rules: ActualListenerRule[] = [];
  if (foundLb !== null) {
    const { lb, tags } = foundLb;
    const arn = lb.LoadBalancerArn ?? '';
    const [attributes, sdkListeners, capacityUnits] = await Promise.all([
      call(ctx, 'DescribeLoadBalancerAttributes', () =>
        ctx.clients.elbv2.send(
          new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
          sendOptions(ctx),
        ),
      ),
      describeListeners(ctx, arn),
      describeCapacityUnits(ctx, arn),
    ]);
    const securityGroupRefs: SecurityGroupRef[] = (lb.SecurityGroups ?? []).map((groupId) => {
      const ref = refOf(groupId);
      if (ref === SHARED_BACKEND_ID) return { kind: 'shared-backend' };
      return groupIds.has(groupId)
        ? { kind: 'managed', id: ref }
        : { kind: 'listed', entry: groupId };
    });
    loadBalancer = {
      id: tags[TAG_RESOURCE] ?? '',
      arn,
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
      securityGroups: securityGroupRefs,
      attributes: fromSdkAttributes(attributes.Attributes),
      tags,
      ...(lb.CustomerOwnedIpv4Pool === undefined || lb.CustomerOwnedIpv4Pool === ''
        ? {}
        : { customerOwnedIpv4Pool: lb.CustomerOwnedIpv4Pool }),
      ...(lb.IpamPools?.Ipv4IpamPoolId === undefined
        ? {}
        : { ipamIpv4PoolId: lb.IpamPools.Ipv4IpamPoolId }),
      ...(capacityUnits === undefined ? {} : { minimumCapacityUnits: capacityUnits }),
    };

    const perListener = await Promise.all(
      sdkListeners.map(async (listener) => {
        const listenerArn = listener.ListenerArn ?? '';
        const [listenerAttributes, certificates, sdkRules] = await Promise.all([
          call(ctx, 'DescribeListenerAttributes', () =>
            ctx.clients.elbv2.send(
              new DescribeListenerAttributesCommand({ ListenerArn: listenerArn }),
              sendOptions(ctx),
            ),
          ),
          listenerCertificates(ctx, listener),
          describeRules(ctx, listenerArn),
        ]);
        return { listener, listenerAttributes, certificates, sdkRules };
      }),
    );
    const tagsByArn = await describeTags(ctx, [
      ...perListener.map((l) => l.listener.ListenerArn ?? ''),
      ...perListener.flatMap((l) => l.sdkRules.map((r) => r.RuleArn ?? '')),
    ]);
    for (const { listener, listenerAttributes, certificates, sdkRules } of perListener) {
      const listenerArn = listener.ListenerArn ?? '';
      const listenerTags = tagsByArn.get(listenerArn) ?? {};
      const listenerId = listenerTags[TAG_RESOURCE];
      if (listenerId === undefined || !isOurs(listenerTags, ctx, stackId)) continue;
      listeners.push({
        id: listenerId,
        arn: listenerArn,
        port: listener.Port ?? 0,
        protocol: listener.Protocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
        certificates,
        ...(listener.SslPolicy === undefined || listener.Protocol !== 'HTTPS'
          ? {}
          : { sslPolicy: listener.SslPolicy }),
        defaultActions: withSecretDigest(
          fromSdkActions(listener.DefaultActions, idOfTargetGroup),
          listenerTags,
        ),
        ...(listener.Protocol === 'HTTPS' && listener.MutualAuthentication !== undefined
          ? mtlsOf(listener.MutualAuthentication)
          : {}),
        attributes: fromSdkAttributes(listenerAttributes.Attributes),
        tags: listenerTags,
      });
      for (const rule of sdkRules) {
        const ruleTags = tagsByArn.get(rule.RuleArn ?? '') ?? {};
        const ruleId = ruleTags[TAG_RESOURCE];
        if (rule.RuleArn === undefined || ruleId === undefined || !isOurs(ruleTags, ctx, stackId)) {
          continue;
        }
        rules.push(toActualRule(rule, rule.RuleArn, listenerId, ruleTags, idOfTargetGroup));
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
  };
}
