/**
 * Desired stacks for the deploy tests, built on the seeded world (its subnets and node
 * instances) with the real naming and tag contract, as buildStack would make them.
 */
import type {
  Action,
  Listener,
  ListenerRule,
  SecurityGroup,
  Stack,
  TargetGroup,
  TargetType,
} from '../../../pkg/model/index.ts';
import {
  FRONTEND_SECURITY_GROUP_ID,
  LOAD_BALANCER_ID,
  listenerId,
  loadBalancerName,
  resourceTags,
  securityGroupName,
  targetGroupId,
  targetGroupName,
} from '../../../pkg/naming/index.ts';
import type { World } from '../../env/world.ts';
import { defaultHealthCheck } from '../../unit/plan/builders.ts';

export const member = 'shop/web';

export interface StackWorld {
  readonly cluster: string;
  readonly stackId: string;
  readonly world: World;
}

function tags(w: StackWorld, resource: string, owner?: string) {
  return resourceTags({
    cluster: w.cluster,
    stack: w.stackId,
    resource,
    ...(owner === undefined ? {} : { ingress: owner }),
  });
}

export function forward(tgId: string): Action {
  return { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupId: tgId }] } };
}

export function fixed404(): Action {
  return {
    Type: 'fixed-response',
    FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
  };
}

export function targetGroup(
  w: StackWorld,
  service: string,
  options: { targetType?: TargetType; nodePort?: number; instances?: number } = {},
): TargetGroup {
  const targetType = options.targetType ?? 'instance';
  const port = options.nodePort ?? 30080;
  const id = targetGroupId(member, service, 80);
  const nodes = w.world.nodes.slice(0, options.instances ?? w.world.nodes.length);
  return {
    id,
    name: targetGroupName({
      cluster: w.cluster,
      groupId: w.stackId,
      member,
      service: `shop/${service}`,
      port: '80',
      targetType,
      protocol: 'HTTP',
      protocolVersion: 'HTTP1',
    }),
    member,
    service: `shop/${service}:80`,
    targetType,
    protocol: 'HTTP',
    protocolVersion: 'HTTP1',
    port,
    ipAddressType: 'ipv4',
    healthCheck: defaultHealthCheck,
    attributes: {},
    tags: tags(w, id, member),
    targets: nodes.map((n) =>
      targetType === 'instance' ? { id: n.instanceId, port } : { id: n.privateIp, port: 8080 },
    ),
  };
}

export function listener(w: StackWorld, port: number): Listener {
  const id = listenerId(port);
  return {
    id,
    port,
    protocol: 'HTTP',
    certificates: [],
    defaultActions: [fixed404()],
    attributes: {},
    tags: tags(w, id),
  };
}

export function rule(
  w: StackWorld,
  name: string,
  path: string,
  priority: number,
  tgId: string,
  port = 80,
): ListenerRule {
  const id = `rule/${port}/${member}/${name}`;
  return {
    id,
    listenerId: listenerId(port),
    priority,
    member,
    conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
    actions: [forward(tgId)],
    transforms: [],
    tags: tags(w, id, member),
  };
}

export function frontend(w: StackWorld, ports: readonly number[]): SecurityGroup {
  return {
    id: FRONTEND_SECURITY_GROUP_ID,
    name: securityGroupName(w.cluster, w.stackId),
    description: `[albatross] frontend of the ALB of ${w.stackId}`,
    ingress: ports.map((port) => ({
      protocol: 'tcp',
      fromPort: port,
      toPort: port,
      cidrIpv4: '0.0.0.0/0',
    })),
    tags: tags(w, FRONTEND_SECURITY_GROUP_ID),
  };
}

/**
 * The common shape: listeners on 80 and 8080, two rules on each, two target groups
 * (`api`, `web`) with every node as a target, and a backend rule per target group whose
 * node security group is resolved at apply.
 */
export function shopStack(w: StackWorld, overrides: Partial<Stack> = {}): Stack {
  const api = targetGroup(w, 'api', { nodePort: 30080 });
  const web = targetGroup(w, 'web', { nodePort: 30081 });
  return {
    id: w.stackId,
    members: [member],
    frozenMembers: [],
    loadBalancer: {
      id: LOAD_BALANCER_ID,
      name: loadBalancerName({ cluster: w.cluster, groupId: w.stackId, scheme: 'internal' }),
      scheme: 'internal',
      ipAddressType: 'ipv4',
      subnets: { kind: 'resolved', subnetIds: [...w.world.privateSubnetIds] },
      securityGroups: [
        { kind: 'managed', id: FRONTEND_SECURITY_GROUP_ID },
        { kind: 'shared-backend' },
      ],
      attributes: {},
      tags: tags(w, LOAD_BALANCER_ID),
    },
    listeners: [listener(w, 80), listener(w, 8080)],
    rules: [
      rule(w, 'api', '/api/*', 1, api.id),
      rule(w, 'web', '/*', 2, web.id),
      rule(w, 'api', '/api/*', 1, api.id, 8080),
      rule(w, 'web', '/*', 2, web.id, 8080),
    ],
    targetGroups: [api, web],
    securityGroups: [frontend(w, [80, 8080])],
    backendRules: [api, web].map((tg) => ({
      id: `backend/${tg.id}/${tg.port}-${tg.port}`,
      targetGroupId: tg.id,
      securityGroupId: null,
      fromPort: tg.port,
      toPort: tg.port,
    })),
    ...overrides,
  };
}

/** The group emptied: no member left, so nothing of ours should remain. */
export function emptyStack(w: StackWorld): Stack {
  return {
    id: w.stackId,
    members: [],
    frozenMembers: [],
    loadBalancer: null,
    listeners: [],
    rules: [],
    targetGroups: [],
    securityGroups: [],
    backendRules: [],
  };
}
