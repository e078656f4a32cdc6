/**
 * An Ingress whose IngressClass is gone (deleted, renamed, pruned, removed by an uninstall)
 * is neither ours nor another controller's: while it holds our finalizer it is held, and
 * nothing of its load balancer changes. Only a deleted Ingress, or one whose class exists
 * and names another controller, is let go.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { classVerdictOf, groupIngresses } from '../../../pkg/ingress/index.ts';
import type { Stack } from '../../../pkg/model/index.ts';
import { planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { asApplied } from '../plan/builders.ts';
import { config as translateConfig, env, service } from '../translate/fixtures.ts';
import { classMap, config, ingress, ingressClass } from './fixtures.ts';

const alb = ingressClass('alb', 'albatross.dev/alb');
const albDefault = ingressClass('alb', 'albatross.dev/alb', { isDefault: true });
const nginx = ingressClass('nginx', 'k8s.io/ingress-nginx');
const LEGACY = 'kubernetes.io/ingress.class';
const GROUP = 'alb.ingress.kubernetes.io/group.name';
const services = [service('default/web', [{ port: 80, nodePort: 30080 }])];

describe('classVerdictOf', () => {
  const cases = [
    { name: 'a class of ours', className: 'alb', classes: [alb], want: { kind: 'ours' } },
    {
      name: 'a class of another',
      className: 'nginx',
      classes: [alb, nginx],
      want: { kind: 'theirs' },
    },
    {
      name: 'a class that does not exist',
      className: 'alb',
      classes: [nginx],
      want: { kind: 'unknown', className: 'alb' },
    },
    { name: 'no class, our default', classes: [albDefault], want: { kind: 'ours' } },
    {
      name: 'no class and no default',
      classes: [alb, nginx],
      want: { kind: 'unknown', className: '' },
    },
    {
      name: 'the legacy annotation, no IngressClass at all',
      annotations: { [LEGACY]: 'alb' },
      classes: [],
      want: { kind: 'ours' },
    },
    {
      name: 'the legacy annotation naming another class',
      annotations: { [LEGACY]: 'nginx' },
      classes: [],
      want: { kind: 'theirs' },
    },
  ] as const;
  for (const c of cases) {
    it(`${c.name} → ${c.want.kind}`, () => {
      const subject = ingress({
        name: 'app',
        ...('className' in c ? { className: c.className } : {}),
        ...('annotations' in c ? { annotations: c.annotations } : {}),
      });
      assert.deepEqual(classVerdictOf(subject, classMap(...c.classes), config), c.want);
    });
  }
});

function summary(ingresses: readonly V1Ingress[], classes: readonly V1IngressClass[]) {
  return groupIngresses(ingresses, classMap(...classes), config).map((g) => ({
    id: g.id,
    members: g.members.map((m) => m.key),
    inactive: g.inactiveMembers.map((m) => m.key),
    problems: g.problems.map((p) => `${p.ingress} ${p.field}=${p.value} ${p.severity}`),
  }));
}

describe('groupIngresses: an Ingress of an unknown class', () => {
  const held = { finalizers: ['albatross.dev/resources'], className: 'alb' } as const;

  it('holding our finalizer, is kept as a member of its group with an error naming the class', () => {
    // GIVEN an applied Ingress of class alb, and no IngressClass alb any more
    const groups = groupIngresses([ingress({ name: 'app', ...held })], classMap(nginx), config);
    // THEN its group is still there, with it as a member, never as one to release
    assert.equal(groups.length, 1);
    assert.deepEqual(
      groups.map((g) => ({
        id: g.id,
        members: g.members.map((m) => m.key),
        inactive: g.inactiveMembers.length,
      })),
      [{ id: 'default/app', members: ['default/app'], inactive: 0 }],
    );
    const problem = groups[0]?.problems[0];
    assert.equal(problem?.severity, 'error');
    assert.equal(problem.field, 'spec.ingressClassName');
    assert.equal(problem.value, 'alb');
    assert.match(problem.message, /IngressClass alb does not exist/);
    assert.match(problem.message, /kept as they are/);
  });

  it('naming no class when no default exists any more, is kept too', () => {
    const ing = ingress({ name: 'app', finalizers: ['albatross.dev/resources'] });
    assert.deepEqual(summary([ing], [alb]), [
      {
        id: 'default/app',
        members: ['default/app'],
        inactive: [],
        problems: ['default/app spec.ingressClassName= error'],
      },
    ]);
  });

  it('in an explicit group, is kept in the group its finalizer names', () => {
    const ing = ingress({
      name: 'app',
      className: 'alb',
      annotations: { [GROUP]: 'shared' },
      finalizers: ['group.albatross.dev/shared'],
    });
    assert.deepEqual(summary([ing], []), [
      {
        id: 'shared',
        members: ['default/app'],
        inactive: [],
        problems: ['default/app spec.ingressClassName=alb error'],
      },
    ]);
  });

  it('being deleted, is let go', () => {
    const ing = ingress({ name: 'app', ...held, deleting: true });
    assert.deepEqual(summary([ing], []), [
      { id: 'default/app', members: [], inactive: ['default/app'], problems: [] },
    ]);
  });

  it('whose class exists and names another controller, is let go', () => {
    const ing = ingress({ name: 'app', ...held, className: 'nginx' });
    assert.deepEqual(summary([ing], [nginx]), [
      { id: 'default/app', members: [], inactive: ['default/app'], problems: [] },
    ]);
  });

  it('holding no finalizer of ours, is none of our business', () => {
    assert.deepEqual(summary([ingress({ name: 'app', className: 'alb' })], []), []);
  });
});

/** The stack of the groups' first group, built as a reconcile builds it. */
function built(ingresses: readonly V1Ingress[], classes: readonly V1IngressClass[]): Stack {
  const [group] = groupIngresses(ingresses, classMap(...classes), config);
  assert.ok(group !== undefined);
  return buildStack(group, env(services), translateConfig).stack;
}

describe('plan: the IngressClass is deleted under an applied Ingress', () => {
  const shapes = [
    { name: 'a path rule', defaultBackendOnly: false },
    { name: 'only a default backend', defaultBackendOnly: true },
  ];
  for (const shape of shapes) {
    it(`with ${shape.name}: nothing is deleted, and the class re-created plans nothing`, () => {
      // GIVEN an Ingress applied while its class existed
      const app = ingress({
        name: 'app',
        className: 'alb',
        finalizers: ['albatross.dev/resources'],
        defaultBackendOnly: shape.defaultBackendOnly,
      });
      const applied = asApplied(built([app], [alb]));
      assert.ok(applied.loadBalancer !== null);
      assert.ok(applied.targetGroups.length > 0);
      // WHEN the IngressClass is deleted
      const plan = planChanges(built([app], []), applied);
      // THEN the load balancer, listeners, rules, target groups and security group stay
      assert.deepEqual(renderChanges(plan), []);
      // AND WHEN the class comes back, the group is in sync as it was
      assert.deepEqual(renderChanges(planChanges(built([app], [alb]), applied)), []);
    });
  }

  it('in a shared group, the other member still changes and the held one is untouched', () => {
    // GIVEN two members of group "shared" applied; then web's class is deleted (it moved to
    // a class of its own that is gone) and blog adds a path
    const member = (name: string, className: string, path: string): V1Ingress =>
      ingress({
        name,
        className,
        path,
        annotations: { [GROUP]: 'shared' },
        finalizers: ['group.albatross.dev/shared'],
      });
    const gone = ingressClass('gone', 'albatross.dev/alb');
    const applied = asApplied(
      built([member('web', 'gone', '/web'), member('blog', 'alb', '/blog')], [alb, gone]),
    );
    const desired = built([member('web', 'gone', '/web'), member('blog', 'alb', '/news')], [alb]);
    // THEN only blog's rule changes; web's rule and target group stay where they are
    const plan = planChanges(desired, applied);
    assert.deepEqual(desired.frozenMembers, ['default/web']);
    assert.ok(plan.length > 0);
    for (const change of plan) {
      assert.ok(!change.id.includes('default/web'), `touches web: ${change.op} ${change.id}`);
      assert.notEqual(change.op === 'delete' && change.kind, 'LoadBalancer');
    }
  });
});
