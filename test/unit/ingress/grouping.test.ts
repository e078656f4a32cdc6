import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngressGroup } from '../../../pkg/ingress/index.ts';
import {
  finalizerFor,
  groupIngresses,
  groupKeyOf,
  groupKeysTouchedBy,
  groupKeyOfFinalizer,
} from '../../../pkg/ingress/index.ts';
import { classMap, config, ingress, ingressClass } from './fixtures.ts';

const classes = classMap(
  ingressClass('alb', 'albatross.dev/alb', { isDefault: true }),
  ingressClass('nginx', 'k8s.io/ingress-nginx'),
);
const GROUP = 'alb.ingress.kubernetes.io/group.name';
const ORDER = 'alb.ingress.kubernetes.io/group.order';

function summary(groups: readonly IngressGroup[]) {
  return groups.map((g) => ({
    id: g.id,
    members: g.members.map((m) => m.key),
    inactive: g.inactiveMembers.map((m) => m.key),
  }));
}

describe('groupIngresses', () => {
  it('puts an Ingress without group.name in its own group, named namespace/name', () => {
    const groups = groupIngresses([ingress({ name: 'app', namespace: 'shop' })], classes, config);
    assert.deepEqual(summary(groups), [{ id: 'shop/app', members: ['shop/app'], inactive: [] }]);
    assert.deepEqual(groups[0]?.key, { kind: 'implicit', namespace: 'shop', name: 'app' });
  });

  it('puts an Ingress without a namespace in default, as kubectl apply would', () => {
    const manifest: unknown = { metadata: { name: 'bare' }, spec: {} };
    const groups = groupIngresses([manifest as never], classes, config);
    assert.deepEqual(summary(groups), [
      { id: 'default/bare', members: ['default/bare'], inactive: [] },
    ]);
  });

  it('gathers Ingresses of one group.name across namespaces, by order then namespace/name', () => {
    // GIVEN three members of group "shared" with orders 5, -3 and none (0)
    const groups = groupIngresses(
      [
        ingress({ name: 'late', namespace: 'a', annotations: { [GROUP]: 'shared', [ORDER]: '5' } }),
        ingress({ name: 'z', namespace: 'b', annotations: { [GROUP]: 'shared' } }),
        ingress({
          name: 'first',
          namespace: 'z',
          annotations: { [GROUP]: 'shared', [ORDER]: '-3' },
        }),
        ingress({ name: 'y', namespace: 'b', annotations: { [GROUP]: 'shared' } }),
      ],
      classes,
      config,
    );
    // THEN one group, ordered by group.order, ties by namespace/name
    assert.deepEqual(summary(groups), [
      { id: 'shared', members: ['z/first', 'b/y', 'b/z', 'a/late'], inactive: [] },
    ]);
    assert.deepEqual(
      groups[0]?.members.map((m) => m.order),
      [-3, 0, 0, 5],
    );
    assert.deepEqual(groups[0].problems, []);
  });

  it('leaves out Ingresses of other classes that hold no finalizer of ours', () => {
    const groups = groupIngresses(
      [ingress({ name: 'other', className: 'nginx' })],
      classes,
      config,
    );
    assert.deepEqual(groups, []);
  });

  it('keeps a member being deleted as inactive, so its group is re-applied without it', () => {
    const groups = groupIngresses(
      [
        ingress({
          name: 'gone',
          annotations: { [GROUP]: 'shared' },
          finalizers: ['group.albatross.dev/shared'],
          deleting: true,
        }),
        ingress({ name: 'stay', annotations: { [GROUP]: 'shared' } }),
      ],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'shared', members: ['default/stay'], inactive: ['default/gone'] },
    ]);
  });

  it('returns a group whose last member is being deleted, so its ALB can go', () => {
    const groups = groupIngresses(
      [ingress({ name: 'app', finalizers: ['albatross.dev/resources'], deleting: true })],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'default/app', members: [], inactive: ['default/app'] },
    ]);
  });

  it('keeps a member that moved to another group as inactive in the old one', () => {
    const groups = groupIngresses(
      [
        ingress({
          name: 'mover',
          annotations: { [GROUP]: 'new' },
          finalizers: ['group.albatross.dev/old'],
        }),
      ],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'new', members: ['default/mover'], inactive: [] },
      { id: 'old', members: [], inactive: ['default/mover'] },
    ]);
  });

  it('keeps a member that switched to another class as inactive', () => {
    const groups = groupIngresses(
      [ingress({ name: 'app', className: 'nginx', finalizers: ['albatross.dev/resources'] })],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'default/app', members: [], inactive: ['default/app'] },
    ]);
  });

  it('ignores finalizers that are not ours', () => {
    const groups = groupIngresses(
      [ingress({ name: 'app', finalizers: ['ingress.k8s.aws/resources'] })],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'default/app', members: ['default/app'], inactive: [] },
    ]);
  });

  it('freezes an Ingress with a bad group.name in the group its finalizer names', () => {
    // GIVEN a member of "shared" whose group.name was edited to an invalid value
    const groups = groupIngresses(
      [
        ingress({
          name: 'typo',
          annotations: { [GROUP]: 'Shared_Group' },
          finalizers: ['group.albatross.dev/shared'],
        }),
        ingress({ name: 'ok', annotations: { [GROUP]: 'shared' } }),
      ],
      classes,
      config,
    );
    // THEN it stays in "shared" (its rules keep serving) with an error that freezes it
    assert.deepEqual(summary(groups), [
      { id: 'shared', members: ['default/ok', 'default/typo'], inactive: [] },
    ]);
    assert.deepEqual(groups[0]?.problems, [
      {
        ingress: 'default/typo',
        field: 'alb.ingress.kubernetes.io/group.name',
        value: 'Shared_Group',
        message:
          "group name must be 1 to 63 characters of lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        severity: 'error',
      },
    ]);
  });

  it('freezes a new Ingress with a bad group.name in its own group', () => {
    const groups = groupIngresses(
      [ingress({ name: 'new', annotations: { [GROUP]: '-bad-' } })],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'default/new', members: ['default/new'], inactive: [] },
    ]);
    assert.equal(groups[0]?.problems[0]?.severity, 'error');
  });

  it('keeps a member with a bad group.order in its group at order 0, with an error', () => {
    const groups = groupIngresses(
      [
        ingress({ name: 'a', annotations: { [GROUP]: 'g', [ORDER]: '5000' } }),
        ingress({ name: 'b', annotations: { [GROUP]: 'g', [ORDER]: '-1' } }),
      ],
      classes,
      config,
    );
    assert.deepEqual(summary(groups), [
      { id: 'g', members: ['default/b', 'default/a'], inactive: [] },
    ]);
    assert.deepEqual(
      groups[0]?.problems.map((p) => [p.ingress, p.field, p.value]),
      [['default/a', ORDER, '5000']],
    );
  });

  it('returns groups sorted by id whatever the input order', () => {
    const input = [
      ingress({ name: 'b' }),
      ingress({ name: 'x', annotations: { [GROUP]: 'zeta' } }),
      ingress({ name: 'a' }),
    ];
    const ids = groupIngresses(input, classes, config).map((g) => g.id);
    assert.deepEqual(ids, ['default/a', 'default/b', 'zeta']);
    assert.deepEqual(
      groupIngresses([...input].reverse(), classes, config).map((g) => g.id),
      ids,
    );
  });
});

describe('finalizers and group keys', () => {
  it('names the implicit and explicit finalizers', () => {
    assert.equal(
      finalizerFor({ kind: 'implicit', namespace: 'ns', name: 'app' }),
      'albatross.dev/resources',
    );
    assert.equal(finalizerFor({ kind: 'explicit', name: 'shared' }), 'group.albatross.dev/shared');
  });

  it('reads a finalizer back into the group it names', () => {
    const subject = ingress({ name: 'app', namespace: 'ns' });
    assert.deepEqual(groupKeyOfFinalizer(subject, 'albatross.dev/resources'), {
      kind: 'implicit',
      namespace: 'ns',
      name: 'app',
    });
    assert.deepEqual(groupKeyOfFinalizer(subject, 'group.albatross.dev/shared'), {
      kind: 'explicit',
      name: 'shared',
    });
    assert.equal(groupKeyOfFinalizer(subject, 'group.ingress.k8s.aws/shared'), undefined);
  });

  it('groupKeyOf follows group.name', () => {
    assert.deepEqual(groupKeyOf(ingress({ name: 'app', annotations: { [GROUP]: 'g' } })), {
      kind: 'explicit',
      name: 'g',
    });
  });

  it('an event on a moving member touches both its old and its new group', () => {
    const mover = ingress({
      name: 'mover',
      annotations: { [GROUP]: 'new' },
      finalizers: ['group.albatross.dev/old'],
    });
    assert.deepEqual(groupKeysTouchedBy(mover, classes, config), [
      { kind: 'explicit', name: 'new' },
      { kind: 'explicit', name: 'old' },
    ]);
  });
});
