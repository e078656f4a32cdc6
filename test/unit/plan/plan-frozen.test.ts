import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import type { Plan } from '../../../pkg/plan/index.ts';
import type { ActualStack, Stack } from '../../../pkg/model/index.ts';
import {
  asApplied,
  listener,
  loadBalancer,
  rule,
  stack,
  summary,
  targetGroup,
} from './builders.ts';

const blog = 'shop/blog';
const blogGroup = targetGroup({ id: 'shop/blog:blog:80', member: blog, name: 'k8s-blog' });

/** Before: web and blog both applied; blog's rule sits first, on its own listener too. */
const bothApplied: Stack = stack({
  members: ['shop/web', blog],
  listeners: [listener(80), listener(8080)],
  rules: [
    rule('/blog/*', 1, { member: blog, targetGroupId: blogGroup.id }),
    rule('/api/*', 2),
    rule('/*', 3),
    rule('/blog/*', 1, {
      member: blog,
      targetGroupId: blogGroup.id,
      listenerId: 'listener/8080',
      id: 'blog-8080',
    }),
  ],
  targetGroups: [targetGroup(), blogGroup],
});

/** Now blog has an error: it is frozen and contributes nothing to the desired stack. */
function blogFrozen(overrides: Partial<Stack> = {}): Stack {
  return stack({ members: ['shop/web', blog], frozenMembers: [blog], ...overrides });
}

function touchesBlog(plan: Plan): readonly string[] {
  return plan
    .filter(
      (c) =>
        c.id.includes('blog') ||
        ('actual' in c && 'member' in c.actual && c.actual.member === blog),
    )
    .map((c) => `${c.op} ${c.kind} ${c.id}`);
}

describe('planChanges: frozen members', () => {
  it('GIVEN a frozen member WHEN planning THEN its rules and target group are neither changed nor deleted', () => {
    const plan = planChanges(blogFrozen(), asApplied(bothApplied));

    assert.deepEqual(touchesBlog(plan), []);
  });

  it('GIVEN a frozen member holding priority 1 WHEN the others want 1 and 2 THEN they are laid out around it', () => {
    const actual = asApplied(bothApplied);

    const plan = planChanges(blogFrozen(), actual);

    // web's rules are at 2 and 3 already: 1 is held by blog, so nothing moves.
    assert.deepEqual(plan, []);
  });

  it('GIVEN a frozen member WHEN a new rule of another member comes first THEN it takes the next free priority', () => {
    const actual = asApplied(bothApplied);
    const desired = blogFrozen({ rules: [rule('/new/*', 1), rule('/api/*', 2), rule('/*', 3)] });

    const plan = planChanges(desired, actual);

    assert.deepEqual(renderChanges(plan), [
      '~ update ListenerRule shop/web:/* (priority 3 → 4)',
      '~ update ListenerRule shop/web:/api/* (priority 2 → 3)',
      '+ create ListenerRule shop/web:/new/* (new rule at priority 2)',
    ]);
  });

  it('GIVEN a listener only a frozen member uses WHEN it is no longer desired THEN it stays', () => {
    const plan = planChanges(blogFrozen(), asApplied(bothApplied));

    assert.equal(
      plan.some((c) => c.kind === 'Listener'),
      false,
    );
  });

  it('GIVEN the only other member leaves WHEN the frozen member still has rules THEN the load balancer, its listeners and security group stay', () => {
    const desired: Stack = {
      ...blogFrozen(),
      members: [blog],
      loadBalancer: null,
      listeners: [],
      rules: [],
      targetGroups: [],
      securityGroups: [],
      backendRules: [],
    };

    const plan = planChanges(desired, asApplied(bothApplied));

    assert.deepEqual(summary(plan), [
      'delete ListenerRule shop/web:/api/*',
      'delete ListenerRule shop/web:/*',
      'delete TargetGroup shop/web:svc:80',
    ]);
  });

  it('GIVEN the load balancer is replaced WHEN a member is frozen THEN its rules are carried over unchanged to the new listeners', () => {
    const desired = blogFrozen({ loadBalancer: loadBalancer({ scheme: 'internet-facing' }) });
    const actual: ActualStack = asApplied(bothApplied);

    const plan = planChanges(desired, actual);

    assert.deepEqual(summary(plan), [
      'replace LoadBalancer LoadBalancer',
      'create Listener listener/80',
      'create Listener listener/8080',
      'create ListenerRule shop/blog:/blog/*',
      'create ListenerRule shop/web:/api/*',
      'create ListenerRule shop/web:/*',
      'create ListenerRule blog-8080',
    ]);
    const carried = plan.filter(
      (c) => c.kind === 'ListenerRule' && c.step === 'create' && c.desired.member === blog,
    );
    assert.deepEqual(
      carried.map((c) =>
        c.kind === 'ListenerRule' && c.step === 'create' ? c.desired.priority : 0,
      ),
      [1, 1],
    );
  });
});
