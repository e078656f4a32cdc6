import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { ActualStack, Stack } from '../../../pkg/model/index.ts';
import {
  asApplied,
  listener,
  loadBalancer,
  securityGroup,
  stack,
  summary,
  targetGroup,
} from './builders.ts';

function line(c: { op: string; kind: string; id: string; reason: string }): string {
  return `${c.op} ${c.kind} ${c.id}: ${c.reason}`;
}

describe('planChanges: multi-cluster target groups', () => {
  const desired = stack({
    targetGroups: [targetGroup({ multiCluster: true, targets: [{ id: '10.0.0.1', port: 80 }] })],
  });
  const actual = (): ActualStack => {
    const applied = asApplied(desired);
    return {
      ...applied,
      targetGroups: applied.targetGroups.map((tg) => ({
        ...tg,
        targets: [
          { id: '10.0.0.2', port: 80 },
          { id: '10.9.9.9', port: 80 },
        ],
      })),
    };
  };
  it('deregisters only the targets this cluster registered', () => {
    const plan = planChanges(
      desired,
      actual(),
      new Map([['shop/web:svc:80', new Set(['10.0.0.2:80'])]]),
    );
    const step = plan.find((s) => s.kind === 'Targets');
    assert.ok(step?.kind === 'Targets');
    assert.deepEqual(step.register, [{ id: '10.0.0.1', port: 80 }]);
    assert.deepEqual(step.deregister, [{ id: '10.0.0.2', port: 80 }]);
  });
  it('deregisters nothing when it does not know what it registered', () => {
    const step = planChanges(desired, actual()).find((s) => s.kind === 'Targets');
    assert.ok(step?.kind === 'Targets');
    assert.deepEqual(step.deregister, []);
  });
});

describe('planChanges: replacements say why', () => {
  const cases: readonly [string, Stack, readonly string[]][] = [
    [
      'scheme',
      stack({ loadBalancer: loadBalancer({ scheme: 'internet-facing' }) }),
      [
        'replace LoadBalancer LoadBalancer: scheme changed internal → internet-facing (new DNS name)',
      ],
    ],
    [
      'target type',
      stack({ targetGroups: [targetGroup({ targetType: 'ip' })] }),
      [
        'replace TargetGroup shop/web:svc:80: targetType changed instance → ip (cannot change in place)',
      ],
    ],
    [
      'backend protocol',
      stack({ targetGroups: [targetGroup({ protocol: 'HTTPS' })] }),
      [
        'replace TargetGroup shop/web:svc:80: protocol changed HTTP → HTTPS (cannot change in place)',
      ],
    ],
    [
      'target control port',
      stack({ targetGroups: [targetGroup({ targetControlPort: 3000 })] }),
      [
        'replace TargetGroup shop/web:svc:80: targetControlPort changed none → 3000 (set only at creation)',
      ],
    ],
    [
      'protocol version',
      stack({ targetGroups: [targetGroup({ protocolVersion: 'GRPC' })] }),
      [
        'replace TargetGroup shop/web:svc:80: protocolVersion changed HTTP1 → GRPC (cannot change in place)',
      ],
    ],
    [
      'target group port',
      stack({ targetGroups: [targetGroup({ port: 31000 })] }),
      ['replace TargetGroup shop/web:svc:80: port changed 30080 → 31000 (cannot change in place)'],
    ],
    [
      'security group description',
      stack({ securityGroups: [securityGroup({ description: 'new words' })] }),
      ['replace SecurityGroup ManagedSG: description changed (cannot change in place)'],
    ],
  ];
  for (const [field, after, expected] of cases) {
    it(`GIVEN a changed ${field} WHEN planning THEN the plan replaces and says why`, () => {
      const plan = planChanges(after, asApplied(stack()));

      assert.deepEqual(plan.filter((c) => c.op === 'replace').map(line), expected);
    });
  }

  it('GIVEN a replaced target group WHEN planning THEN its targets are registered anew, rules re-pointed and the old group deleted last', () => {
    const after = stack({
      targetGroups: [targetGroup({ protocol: 'HTTPS', name: 'k8s-shop-svc-fedcba' })],
    });

    const plan = planChanges(after, asApplied(stack()));

    assert.deepEqual(summary(plan), [
      'replace TargetGroup shop/web:svc:80',
      'create Targets shop/web:svc:80',
      'update ListenerRule shop/web:/api/*',
      'update ListenerRule shop/web:/*',
      'delete TargetGroup shop/web:svc:80',
    ]);
    assert.equal(plan[2]?.reason, 'forwards to replaced target group shop/web:svc:80');
    assert.equal(plan.at(-1)?.reason.startsWith('replaced: protocol changed'), true);
  });

  it('GIVEN a replaced load balancer WHEN planning THEN it is recreated first and listeners and rules follow on the new one', () => {
    const after = stack({ loadBalancer: loadBalancer({ scheme: 'internet-facing' }) });

    const plan = planChanges(after, asApplied(stack()));

    assert.deepEqual(summary(plan), [
      'replace LoadBalancer LoadBalancer',
      'create Listener listener/80',
      'create ListenerRule shop/web:/api/*',
      'create ListenerRule shop/web:/*',
    ]);
  });

  it('GIVEN a replaced security group WHEN planning THEN the load balancer switches to the new one before the old is deleted', () => {
    const after = stack({ securityGroups: [securityGroup({ name: 'k8s-shop-sg-fedcba' })] });

    const plan = planChanges(after, asApplied(stack()));

    assert.deepEqual(summary(plan), [
      'replace SecurityGroup ManagedSG',
      'update LoadBalancer LoadBalancer',
      'delete SecurityGroup ManagedSG',
    ]);
    assert.equal(plan[1]?.reason, 'security group ManagedSG replaced');
  });

  it('GIVEN a listener protocol change WHEN planning THEN the listener is updated, not replaced (its port is its identity)', () => {
    const before = stack({ listeners: [listener(8443)], rules: [] });
    const after = stack({
      listeners: [
        listener(8443, {
          protocol: 'HTTPS',
          certificates: [{ certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/a' }],
        }),
      ],
      rules: [],
    });

    const plan = planChanges(after, asApplied(before));

    assert.deepEqual(plan.map(line), [
      'update Listener listener/8443: protocol HTTP → HTTPS; certificates changed',
    ]);
  });
});

describe('planChanges: updates in place', () => {
  it('GIVEN a health check change WHEN planning THEN the target group is updated in place', () => {
    const base = targetGroup();
    const after = stack({
      targetGroups: [targetGroup({ healthCheck: { ...base.healthCheck, path: '/healthz' } })],
    });

    const plan = planChanges(after, asApplied(stack()));

    assert.deepEqual(plan.map(line), [
      'update TargetGroup shop/web:svc:80: healthCheck.path / → /healthz',
    ]);
    assert.deepEqual(plan[0]?.fields, ['healthCheck.path']);
  });

  it('GIVEN AWS has attributes and tags we never listed WHEN planning THEN only the listed keys are compared', () => {
    const desired = stack({
      loadBalancer: loadBalancer({ attributes: { 'idle_timeout.timeout_seconds': '120' } }),
    });
    const applied = asApplied(desired);
    const reported: ActualStack = {
      ...applied,
      loadBalancer: {
        ...applied.loadBalancer!,
        attributes: {
          'idle_timeout.timeout_seconds': '120',
          'deletion_protection.enabled': 'false',
          'routing.http2.enabled': 'true',
        },
        tags: { ...applied.loadBalancer!.tags, 'cost-center': 'set-by-someone-else' },
      },
    };

    assert.deepEqual(planChanges(desired, reported), []);
  });

  it('GIVEN a listed attribute that differs WHEN planning THEN only that attribute is updated', () => {
    const before = stack({
      loadBalancer: loadBalancer({ attributes: { 'idle_timeout.timeout_seconds': '60' } }),
    });
    const after = stack({
      loadBalancer: loadBalancer({ attributes: { 'idle_timeout.timeout_seconds': '120' } }),
    });

    const plan = planChanges(after, asApplied(before));

    assert.deepEqual(plan.map(line), [
      'update LoadBalancer LoadBalancer: attribute idle_timeout.timeout_seconds 60 → 120',
    ]);
  });

  it('GIVEN a user tag added WHEN planning THEN the resource is updated with that tag', () => {
    const after = stack({
      loadBalancer: loadBalancer({ tags: { ...loadBalancer().tags, team: 'payments' } }),
    });

    const plan = planChanges(after, asApplied(stack()));

    assert.deepEqual(plan.map(line), [
      'update LoadBalancer LoadBalancer: tag team (unset) → payments',
    ]);
  });

  it('GIVEN a desired SSL policy left unset WHEN AWS has one THEN nothing changes', () => {
    const before = stack({
      listeners: [
        listener(443, { protocol: 'HTTPS', sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }),
      ],
      rules: [],
    });
    const after = stack({ listeners: [listener(443, { protocol: 'HTTPS' })], rules: [] });

    assert.deepEqual(planChanges(after, asApplied(before)), []);
  });

  it('GIVEN unresolved subnets or security groups named by tag WHEN planning THEN they are not compared', () => {
    const after = stack({
      loadBalancer: loadBalancer({
        subnets: { kind: 'listed', entries: ['public-a', 'public-b'] },
        securityGroups: [{ kind: 'listed', entry: 'my-frontend-sg' }],
      }),
    });

    assert.deepEqual(planChanges(after, asApplied(stack())), []);
  });

  it('GIVEN resolved subnets that differ WHEN planning THEN subnets are updated, whatever their order', () => {
    const reordered = stack({
      loadBalancer: loadBalancer({
        subnets: { kind: 'resolved', subnetIds: ['subnet-b', 'subnet-a'] },
      }),
    });
    const moved = stack({
      loadBalancer: loadBalancer({
        subnets: { kind: 'resolved', subnetIds: ['subnet-a', 'subnet-c'] },
      }),
    });

    assert.deepEqual(planChanges(reordered, asApplied(stack())), []);
    assert.deepEqual(
      planChanges(moved, asApplied(stack())).map((c) => c.fields),
      [['subnets']],
    );
  });

  it('GIVEN discovered subnets that differ from the ALB subnets WHEN planning THEN the ALB keeps its subnets; listed ones still move it', () => {
    const discovered = stack({
      loadBalancer: loadBalancer({
        subnets: { kind: 'resolved', subnetIds: ['subnet-a', 'subnet-c'], discovered: true },
      }),
    });
    const listed = stack({
      loadBalancer: loadBalancer({
        subnets: { kind: 'resolved', subnetIds: ['subnet-a', 'subnet-c'] },
      }),
    });

    assert.deepEqual(planChanges(discovered, asApplied(stack())), []);
    assert.deepEqual(
      planChanges(listed, asApplied(stack())).map((c) => c.reason),
      ['subnets subnet-a,subnet-b → subnet-a,subnet-c'],
    );
  });

  it('GIVEN a new inbound CIDR WHEN planning THEN the security group authorizes it and revokes the old one', () => {
    const after = stack({
      securityGroups: [
        securityGroup({
          ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '10.0.0.0/8' }],
        }),
      ],
    });

    const plan = planChanges(after, asApplied(stack()));

    assert.equal(plan.length, 1);
    const change = plan[0]!;
    assert.ok(change.kind === 'SecurityGroup' && change.step === 'update');
    assert.deepEqual(
      change.authorize.map((p) => p.cidrIpv4),
      ['10.0.0.0/8'],
    );
    assert.deepEqual(
      change.revoke.map((p) => p.cidrIpv4),
      ['0.0.0.0/0'],
    );
  });
});

describe('planChanges: targets', () => {
  it('GIVEN endpoints that changed WHEN planning THEN targets are registered and deregistered by difference', () => {
    const after = stack({
      targetGroups: [
        targetGroup({
          targets: [
            { id: 'i-2', port: 30080 },
            { id: 'i-3', port: 30080 },
          ],
        }),
      ],
    });

    const plan = planChanges(after, asApplied(stack()));

    assert.equal(plan.length, 1);
    const change = plan[0]!;
    assert.ok(change.kind === 'Targets');
    assert.equal(change.op, 'update');
    assert.deepEqual(change.register, [{ id: 'i-3', port: 30080 }]);
    assert.deepEqual(change.deregister, [{ id: 'i-1', port: 30080 }]);
    assert.equal(change.reason, 'register 1, deregister 1');
  });

  it('GIVEN targets unknown in the desired state WHEN AWS has targets THEN nothing is deregistered', () => {
    const after = stack({ targetGroups: [targetGroup({ targets: null })] });

    assert.deepEqual(planChanges(after, asApplied(stack())), []);
  });
});
