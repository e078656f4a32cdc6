import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { Stack } from '../../../pkg/model/index.ts';
import {
  asApplied,
  backendRule,
  listener,
  loadBalancer,
  rule,
  stack,
  summary,
  targetGroup,
} from './builders.ts';

const httpsListener = listener(443, {
  protocol: 'HTTPS',
  certificates: [{ certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/a' }],
  sslPolicy: 'ELBSecurityPolicy-2016-08',
});

const stacks: readonly [string, Stack][] = [
  ['the common case', stack()],
  ['two listeners', stack({ listeners: [listener(), httpsListener] })],
  [
    'two members, two target groups, attributes and unknown targets',
    stack({
      members: ['shop/web', 'shop/api'],
      loadBalancer: loadBalancer({ attributes: { 'idle_timeout.timeout_seconds': '120' } }),
      rules: [
        rule('/api/*', 1, { member: 'shop/api', targetGroupId: 'shop/api:api:80' }),
        rule('/*', 2),
      ],
      targetGroups: [
        targetGroup(),
        targetGroup({ id: 'shop/api:api:80', member: 'shop/api', name: 'k8s-api', targets: null }),
      ],
      backendRules: [backendRule({ securityGroupId: null })],
    }),
  ],
  [
    'subnets not resolved yet (offline)',
    stack({ loadBalancer: loadBalancer({ subnets: { kind: 'discover', role: 'elb' } }) }),
  ],
];

describe('planChanges: order', () => {
  it('GIVEN an empty account WHEN planning THEN everything is created, dependencies first', () => {
    const plan = planChanges(stack(), null);

    assert.deepEqual(summary(plan), [
      'create SecurityGroup ManagedSG',
      'create LoadBalancer LoadBalancer',
      'create TargetGroup shop/web:svc:80',
      'create Targets shop/web:svc:80',
      'create Listener listener/80',
      'create ListenerRule shop/web:/api/*',
      'create ListenerRule shop/web:/*',
    ]);
  });

  it('GIVEN an empty account WHEN targets are unknown THEN no Targets step is planned', () => {
    const plan = planChanges(stack({ targetGroups: [targetGroup({ targets: null })] }), null);

    assert.equal(
      plan.some((c) => c.kind === 'Targets'),
      false,
    );
  });

  for (const [name, desired] of stacks) {
    it(`GIVEN ${name} already applied WHEN planning again THEN the plan is empty`, () => {
      assert.deepEqual(planChanges(desired, asApplied(desired)), []);
    });
  }

  it('GIVEN a group left with no active member WHEN planning THEN all of ours is deleted, users before what they use', () => {
    const applied = asApplied(stacks[2]![1]);
    const empty: Stack = {
      id: 'shop',
      members: [],
      frozenMembers: [],
      loadBalancer: null,
      listeners: [],
      rules: [],
      targetGroups: [],
      securityGroups: [],
      backendRules: [],
    };

    const plan = planChanges(empty, applied);

    assert.deepEqual(summary(plan), [
      'delete ListenerRule shop/api:/api/*',
      'delete ListenerRule shop/web:/*',
      'delete Listener listener/80',
      'delete TargetGroup shop/web:svc:80',
      'delete TargetGroup shop/api:api:80',
      'delete LoadBalancer LoadBalancer',
      'delete SecurityGroup ManagedSG',
    ]);
    assert.ok(plan.every((c) => c.reason === 'the group has no active member'));
  });

  it('GIVEN a per-stack backend rule left by an earlier version WHEN planning an unchanged stack THEN only that rule is deleted, since the cluster-level rules replace it', () => {
    const desired = stack();
    const applied = asApplied(desired);
    const legacy = backendRule();
    const found = {
      ...applied,
      backendRules: [{ ...legacy, securityGroupId: 'sg-nodes', securityGroupRuleId: 'sgr-legacy' }],
    };

    const plan = planChanges(desired, found);

    assert.deepEqual(summary(plan), ['delete BackendAccessRule backend/shop/web:svc:80']);
  });

  it('GIVEN a member that left the group WHEN planning THEN its rule and target group go last, after the remaining rule took its place', () => {
    const before = stacks[2]![1];
    const after = stack({ rules: [rule('/*', 1)] });

    const plan = planChanges(after, asApplied(before));

    assert.deepEqual(summary(plan), [
      'update ListenerRule shop/api:/api/*',
      'update ListenerRule shop/web:/*',
      'delete ListenerRule shop/api:/api/*',
      'delete TargetGroup shop/api:api:80',
    ]);
    assert.deepEqual(
      plan.map((c) => c.reason),
      [
        'priority 1 → 3 (temporary, frees 1)',
        'priority 2 → 1',
        'member shop/api left the group',
        'member shop/api left the group',
      ],
    );
  });
});
