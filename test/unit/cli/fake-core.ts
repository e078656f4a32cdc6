/**
 * A stand-in for translate and plan, small enough to read: one ALB per group, one HTTP
 * listener on 80, one rule per path (host and path as given), one target group per
 * backend. It lets the CLI's reading and writing be tested on their own.
 */
import type { IngressGroup } from '../../../pkg/ingress/index.ts';
import type { PlanCore } from '../../../pkg/cli/index.ts';
import type {
  Change,
  ListenerRule,
  Problem,
  Stack,
  TargetGroup,
} from '../../../pkg/model/index.ts';
import { defaultHealthCheck } from '../plan/builders.ts';

export const fakeCore: PlanCore = {
  buildStack: (group: IngressGroup) => {
    const rules: ListenerRule[] = [];
    const targetGroups = new Map<string, TargetGroup>();
    const problems: Problem[] = [];
    for (const member of group.members) {
      const annotations = member.ingress.metadata?.annotations ?? {};
      const scheme = annotations['alb.ingress.kubernetes.io/scheme'];
      if (scheme !== undefined && scheme !== 'internal' && scheme !== 'internet-facing') {
        problems.push({
          ingress: member.key,
          field: 'alb.ingress.kubernetes.io/scheme',
          value: scheme,
          message: 'scheme must be internal or internet-facing',
          severity: 'error',
        });
        continue;
      }
      for (const rule of member.ingress.spec?.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          const service = path.backend.service;
          const port = service?.port?.number ?? service?.port?.name ?? '';
          const tgId = `${member.key}:${service?.name ?? ''}:${port}`;
          targetGroups.set(tgId, {
            id: tgId,
            name: `k8s-${service?.name ?? ''}-${port}`,
            member: member.key,
            service: `${member.key.split('/')[0] ?? ''}/${service?.name ?? ''}:${port}`,
            targetType: 'instance',
            protocol: 'HTTP',
            protocolVersion: 'HTTP1',
            port: 30000,
            ipAddressType: 'ipv4',
            healthCheck: defaultHealthCheck,
            attributes: {},
            tags: {},
            targets: null,
          });
          rules.push({
            id: `${member.key}/${rules.length}`,
            listenerId: 'listener/80',
            priority: rules.length + 1,
            member: member.key,
            conditions: [
              ...(rule.host === undefined
                ? []
                : [{ Field: 'host-header' as const, HostHeaderConfig: { Values: [rule.host] } }]),
              { Field: 'path-pattern', PathPatternConfig: { Values: [path.path ?? '/*'] } },
            ],
            actions: [
              { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupId: tgId }] } },
            ],
            transforms: [],
            tags: {},
          });
        }
      }
    }
    const frozen = problems.map((p) => p.ingress);
    const stack: Stack = {
      id: group.id,
      members: group.members.map((m) => m.key),
      frozenMembers: frozen,
      loadBalancer:
        group.members.length === 0
          ? null
          : {
              id: 'LoadBalancer',
              name: `k8s-${group.id.replace(/[^a-z0-9]/g, '')}`.slice(0, 32),
              scheme: 'internal',
              ipAddressType: 'ipv4',
              subnets: { kind: 'discover', role: 'internal-elb' },
              securityGroups: [{ kind: 'managed', id: 'ManagedLBSecurityGroup' }],
              attributes: {},
              tags: {},
            },
      listeners: [
        {
          id: 'listener/80',
          port: 80,
          protocol: 'HTTP',
          certificates: [],
          defaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
          attributes: {},
          tags: {},
        },
      ],
      rules,
      targetGroups: [...targetGroups.values()],
      securityGroups: [
        {
          id: 'ManagedLBSecurityGroup',
          name: 'k8s-sg',
          description: 'frontend',
          ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '0.0.0.0/0' }],
          tags: {},
        },
      ],
      backendRules: [],
    };
    return { stack, problems };
  },
  planChanges: (desired: Stack) => {
    const changes: Change[] = [];
    if (desired.loadBalancer !== null) {
      changes.push({ op: 'create', kind: 'LoadBalancer', id: 'LoadBalancer', reason: 'new' });
    }
    for (const rule of desired.rules) {
      changes.push({ op: 'create', kind: 'ListenerRule', id: rule.id, reason: 'new' });
    }
    return changes;
  },
};
