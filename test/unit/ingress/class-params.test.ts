/**
 * Grouping with IngressClassParams: `group.name` forces the group, a namespace the
 * selector does not select is rejected (frozen, contributing nothing), and params that
 * cannot be read keep the Ingress where its finalizer holds it. The mapper re-applies
 * the right groups when a namespace's labels change.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1IngressClass } from '@kubernetes/client-node';
import type { ClassParamsInput } from '../../../pkg/ingress/index.ts';
import { groupIngresses } from '../../../pkg/ingress/index.ts';
import { GroupKeyMapper } from '../../../pkg/k8s/group-key-mapper.ts';
import { classMap, config, ingress, ingressClass } from './fixtures.ts';

function withParams(name: string, params: string, apiGroup = 'elbv2.k8s.aws'): V1IngressClass {
  const c = ingressClass(name, 'albatross.dev/alb');
  if (c.spec !== undefined) {
    c.spec.parameters = { apiGroup, kind: 'IngressClassParams', name: params };
  }
  return c;
}

const classes = classMap(
  withParams('edge', 'edge-params'),
  withParams('other-kind', 'x', 'example.com'),
  ingressClass('alb', 'albatross.dev/alb'),
);

function input(
  params: Record<string, unknown> | undefined,
  labels: Record<string, Record<string, string>> = {},
): ClassParamsInput {
  return {
    params: params === undefined ? undefined : new Map(Object.entries(params)),
    namespaceLabels: new Map(Object.entries(labels)),
  };
}

const GROUP = 'alb.ingress.kubernetes.io/group.name';

describe('groupIngresses with IngressClassParams', () => {
  it('GIVEN params with group.name THEN every Ingress of the class joins it, whatever its annotation says', () => {
    const groups = groupIngresses(
      [
        ingress({ name: 'a', namespace: 'x', className: 'edge', annotations: { [GROUP]: 'mine' } }),
        ingress({ name: 'b', namespace: 'y', className: 'edge' }),
        ingress({ name: 'c', namespace: 'y', className: 'alb', annotations: { [GROUP]: 'mine' } }),
      ],
      classes,
      config,
      input({ 'edge-params': { group: { name: 'shared' } } }),
    );
    assert.deepEqual(
      groups.map((g) => [g.id, g.members.map((m) => m.key)]),
      [
        ['mine', ['y/c']],
        ['shared', ['x/a', 'y/b']],
      ],
    );
    assert.equal(groups[1]?.members[0]?.params?.params.name, 'edge-params');
  });

  it('GIVEN a namespaceSelector THEN an Ingress of an unselected namespace is rejected with an error naming class, params and namespace', () => {
    const [group] = groupIngresses(
      [
        ingress({ name: 'a', namespace: 'team-a', className: 'edge' }),
        ingress({ name: 'b', namespace: 'team-b', className: 'edge' }),
      ],
      classes,
      config,
      input(
        {
          'edge-params': {
            group: { name: 'shared' },
            namespaceSelector: { matchLabels: { team: 'a' } },
          },
        },
        { 'team-a': { team: 'a' }, 'team-b': { team: 'b' } },
      ),
    );
    assert.deepEqual(
      group?.members.map((m) => [m.key, m.params?.rejected]),
      [
        ['team-a/a', false],
        ['team-b/b', true],
      ],
    );
    assert.equal(group.problems.length, 1);
    const [p] = group.problems;
    assert.equal(p?.ingress, 'team-b/b');
    assert.equal(p.severity, 'error');
    assert.equal(p.field, 'IngressClassParams edge-params: spec.namespaceSelector');
    assert.match(p.message, /IngressClass edge/);
  });

  it('GIVEN a namespace not known THEN the selector sees the kubernetes.io/metadata.name label every namespace has', () => {
    const [group] = groupIngresses(
      [ingress({ name: 'a', namespace: 'apps', className: 'edge' })],
      classes,
      config,
      input({
        'edge-params': {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } },
        },
      }),
    );
    assert.equal(group?.problems.length, 0);
    assert.equal(group.members[0]?.params?.rejected, false);
  });

  it('GIVEN params that are missing THEN the Ingress is frozen in the group its finalizer names, not moved', () => {
    const held = ingress({
      name: 'a',
      namespace: 'x',
      className: 'edge',
      finalizers: ['group.albatross.dev/shared'],
    });
    for (const source of [input({}), input(undefined)]) {
      const [group] = groupIngresses([held], classes, config, source);
      assert.equal(group?.id, 'shared');
      assert.equal(group.members[0]?.key, 'x/a');
      assert.equal(group.problems[0]?.field, 'IngressClass edge: spec.parameters');
      assert.equal(group.problems[0].value, 'edge-params');
    }
    const [, second] = [
      groupIngresses([held], classes, config, input(undefined)),
      groupIngresses([held], classes, config, input({})),
    ];
    assert.match(second[0]?.problems[0]?.message ?? '', /no such IngressClassParams/);
    assert.match(
      groupIngresses([held], classes, config, input(undefined))[0]?.problems[0]?.message ?? '',
      /CRD .* is not installed/,
    );
  });

  it('GIVEN a class whose parameters are of another API group THEN they are not ours to read', () => {
    const [group] = groupIngresses(
      [ingress({ name: 'a', className: 'other-kind' })],
      classes,
      config,
      input({}),
    );
    assert.deepEqual(group?.problems, []);
    assert.equal(group.members[0]?.params, undefined);
  });
});

describe('GroupKeyMapper and namespaces', () => {
  it('GIVEN a namespace whose labels changed THEN only groups of Ingresses there whose class has params are re-applied', () => {
    const ingresses = [
      ingress({ name: 'a', namespace: 'team-b', className: 'edge' }),
      ingress({ name: 'plain', namespace: 'team-b', className: 'alb' }),
      ingress({ name: 'c', namespace: 'team-c', className: 'edge' }),
    ];
    const source = {
      ingressList: () => ingresses,
      ingressClassMap: () => classes,
      classParamsInput: () => input({ 'edge-params': { group: { name: 'shared' } } }),
    };
    const mapper = new GroupKeyMapper(source, config);
    for (const i of ingresses) mapper.ingressChanged('added', i);
    assert.deepEqual(mapper.namespaceChanged('updated', { metadata: { name: 'team-b' } }), [
      'shared',
    ]);
    assert.deepEqual(mapper.namespaceChanged('updated', { metadata: { name: 'other' } }), []);
  });

  it('GIVEN params whose group.name changed THEN both the old and the new group are re-applied', () => {
    let groupName = 'one';
    const ingresses = [ingress({ name: 'a', namespace: 'x', className: 'edge' })];
    const mapper = new GroupKeyMapper(
      {
        ingressList: () => ingresses,
        ingressClassMap: () => classes,
        classParamsInput: () => input({ 'edge-params': { group: { name: groupName } } }),
      },
      config,
    );
    for (const i of ingresses) mapper.ingressChanged('added', i);
    groupName = 'two';
    assert.deepEqual(
      mapper.ingressClassParamsChanged('updated', { metadata: { name: 'edge-params' } }),
      ['one', 'two'],
    );
  });
});
