/**
 * Small builders of desired stacks for the planner's tests, and `asApplied`: the actual
 * stack discovery would report once a desired stack has been applied.
 */
import type {
  Action,
  ActualListenerRule,
  ActualStack,
  ActualTargetGroup,
  BackendAccessRule,
  HealthCheck,
  Listener,
  ListenerRule,
  LoadBalancer,
  SecurityGroup,
  Stack,
  Target,
  TargetGroup,
} from '../../../pkg/model/index.ts';

export const stackId = 'shop';

function ownership(resource: string, member?: string): Readonly<Record<string, string>> {
  return {
    'albatross.dev/cluster': 'test',
    'albatross.dev/stack': stackId,
    'albatross.dev/resource': resource,
    ...(member === undefined ? {} : { 'albatross.dev/ingress': member }),
  };
}

export function loadBalancer(overrides: Partial<LoadBalancer> = {}): LoadBalancer {
  return {
    id: 'LoadBalancer',
    name: 'k8s-shop-0123456789',
    scheme: 'internal',
    ipAddressType: 'ipv4',
    subnets: { kind: 'resolved', subnetIds: ['subnet-a', 'subnet-b'] },
    securityGroups: [{ kind: 'managed', id: 'ManagedSG' }, { kind: 'shared-backend' }],
    attributes: {},
    tags: ownership('LoadBalancer'),
    ...overrides,
  };
}

export function securityGroup(overrides: Partial<SecurityGroup> = {}): SecurityGroup {
  return {
    id: 'ManagedSG',
    name: 'k8s-shop-sg-0123456789',
    description: '[k8s] Managed SecurityGroup for LoadBalancer',
    ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' }],
    tags: ownership('ManagedSG'),
    ...overrides,
  };
}

export function forward(targetGroupId: string): Action {
  return { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupId: targetGroupId }] } };
}

export function fixed404(): Action {
  return { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } };
}

export function listener(port = 80, overrides: Partial<Listener> = {}): Listener {
  const id = `listener/${String(port)}`;
  return {
    id,
    port,
    protocol: 'HTTP',
    certificates: [],
    defaultActions: [fixed404()],
    attributes: {},
    tags: ownership(id),
    ...overrides,
  };
}

/** A rule routing `path` to target group `tg-<name>`, where name is the path's first segment. */
export function rule(
  path: string,
  priority: number,
  options: { member?: string; listenerId?: string; id?: string; targetGroupId?: string } = {},
): ListenerRule {
  const member = options.member ?? 'shop/web';
  const id = options.id ?? `${member}:${path}`;
  return {
    id,
    listenerId: options.listenerId ?? 'listener/80',
    priority,
    member,
    conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
    actions: [forward(options.targetGroupId ?? 'shop/web:svc:80')],
    transforms: [],
    tags: ownership(id, member),
  };
}

/** The health check an Ingress gets when it sets none (the spec's defaults). */
export const defaultHealthCheck: HealthCheck = {
  port: 'traffic-port',
  protocol: 'HTTP',
  path: '/',
  intervalSeconds: 15,
  timeoutSeconds: 5,
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 2,
  successCodes: '200',
};

export function targetGroup(overrides: Partial<TargetGroup> = {}): TargetGroup {
  const id = overrides.id ?? 'shop/web:svc:80';
  const member = overrides.member ?? 'shop/web';
  return {
    id,
    name: 'k8s-shop-svc-abcdef0123',
    member,
    service: 'shop/svc:80',
    targetType: 'instance',
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    port: 30080,
    ipAddressType: 'ipv4',
    healthCheck: defaultHealthCheck,
    attributes: {},
    tags: ownership(id, member),
    targets: [
      { id: 'i-1', port: 30080 },
      { id: 'i-2', port: 30080 },
    ],
    ...overrides,
  };
}

export function backendRule(overrides: Partial<BackendAccessRule> = {}): BackendAccessRule {
  return {
    id: 'backend/shop/web:svc:80',
    targetGroupId: 'shop/web:svc:80',
    securityGroupId: 'sg-nodes',
    fromPort: 30080,
    toPort: 30080,
    ...overrides,
  };
}

/** One member, one listener, two rules, one target group: the common case. */
export function stack(overrides: Partial<Stack> = {}): Stack {
  return {
    id: stackId,
    members: ['shop/web'],
    frozenMembers: [],
    loadBalancer: loadBalancer(),
    listeners: [listener()],
    rules: [rule('/api/*', 1), rule('/*', 2)],
    targetGroups: [targetGroup()],
    securityGroups: [securityGroup()],
    backendRules: [backendRule()],
    ...overrides,
  };
}

export function arnOf(kind: string, id: string): string {
  return `arn:aws:elasticloadbalancing:eu-west-1:123456789012:${kind}/${id}`;
}

export function appliedRule(desired: ListenerRule): ActualListenerRule {
  return { ...desired, arn: arnOf('listener-rule', desired.id) };
}

export function appliedTargetGroup(
  desired: TargetGroup,
  targets: readonly Target[] = desired.targets ?? [],
): ActualTargetGroup {
  return { ...desired, arn: arnOf('targetgroup', desired.id), targets };
}

/** What discovery reports after `desired` was applied exactly. */
export function asApplied(desired: Stack): ActualStack {
  const lb = desired.loadBalancer;
  return {
    id: desired.id,
    loadBalancer:
      lb === null
        ? null
        : { ...lb, arn: arnOf('loadbalancer', lb.name), dnsName: `${lb.name}.elb.amazonaws.com` },
    listeners: desired.listeners.map((l) => ({ ...l, arn: arnOf('listener', l.id) })),
    rules: desired.rules.map(appliedRule),
    targetGroups: desired.targetGroups.map((tg) => appliedTargetGroup(tg)),
    securityGroups: desired.securityGroups.map((sg) => ({ ...sg, groupId: `sg-${sg.id}` })),
    // Backend rules are cluster-level: no stack-tagged rule is left after an apply.
    backendRules: [],
  };
}

/** `[op, kind, id]` of each change: what a reviewer reads, without the payload. */
export function summary(
  changes: readonly { op: string; kind: string; id: string }[],
): readonly string[] {
  return changes.map((c) => `${c.op} ${c.kind} ${c.id}`);
}
