/**
 * The incremental GroupIndex gives exactly what the full grouping gives, after every step
 * of random event sequences: Ingresses created, edited (class, group.name, group.order,
 * finalizers, deletion) and deleted; IngressClasses created and deleted. After an Ingress
 * event only that Ingress is recomputed; after a class event, every Ingress.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { contributionsOf, GroupIndex, groupIngresses } from '../../../pkg/ingress/index.ts';
import { config, ingress, ingressClass } from './fixtures.ts';

const GROUP = 'alb.ingress.kubernetes.io/group.name';
const ORDER = 'alb.ingress.kubernetes.io/group.order';

const ingressArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
  namespace: fc.constantFrom('x', 'y'),
  className: fc.option(fc.constantFrom('alb', 'nginx', 'gone'), { nil: undefined }),
  group: fc.option(fc.constantFrom('shared', 'other', 'Bad Name'), { nil: undefined }),
  order: fc.option(fc.constantFrom('0', '5', '-3', 'x'), { nil: undefined }),
  finalizers: fc.subarray([
    'albatross.dev/resources',
    'group.albatross.dev/shared',
    'group.albatross.dev/other',
    'someone.else/finalizer',
  ]),
  deleting: fc.boolean(),
});

const eventArb = fc.oneof(
  ingressArb.map((i) => ({ kind: 'ingress-set' as const, i })),
  fc.record({
    kind: fc.constant('ingress-delete' as const),
    name: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    namespace: fc.constantFrom('x', 'y'),
  }),
  fc.record({
    kind: fc.constant('class-set' as const),
    name: fc.constantFrom('alb', 'nginx'),
    ours: fc.boolean(),
    isDefault: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('class-delete' as const), name: fc.constantFrom('alb', 'nginx') }),
);

type IngressShape = typeof ingressArb extends fc.Arbitrary<infer T> ? T : never;

function toIngress(i: IngressShape): V1Ingress {
  const annotations: Record<string, string> = {};
  if (i.group !== undefined) annotations[GROUP] = i.group;
  if (i.order !== undefined) annotations[ORDER] = i.order;
  return ingress({
    name: i.name,
    namespace: i.namespace,
    annotations,
    finalizers: i.finalizers,
    deleting: i.deleting,
    ...(i.className !== undefined ? { className: i.className } : {}),
  });
}

describe('GroupIndex', () => {
  it('equals the full grouping after every step of random event sequences', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const ingresses = new Map<string, V1Ingress>();
        const classes = new Map<string, V1IngressClass>();
        const index = new GroupIndex();
        const recompute = (key: string): void => {
          const ing = ingresses.get(key);
          if (ing === undefined) index.delete(key);
          else index.set(key, contributionsOf(ing, classes, config));
        };
        for (const e of events) {
          if (e.kind === 'ingress-set') {
            const key = `${e.i.namespace}/${e.i.name}`;
            ingresses.set(key, toIngress(e.i));
            recompute(key);
          } else if (e.kind === 'ingress-delete') {
            const key = `${e.namespace}/${e.name}`;
            ingresses.delete(key);
            recompute(key);
          } else {
            if (e.kind === 'class-set') {
              const controller = e.ours ? 'albatross.dev/alb' : 'k8s.io/ingress-nginx';
              classes.set(e.name, ingressClass(e.name, controller, { isDefault: e.isDefault }));
            } else {
              classes.delete(e.name);
            }
            for (const key of ingresses.keys()) recompute(key);
          }
          assert.deepEqual(
            index.groups(),
            groupIngresses([...ingresses.values()], classes, config),
          );
          for (const group of groupIngresses([...ingresses.values()], classes, config)) {
            assert.deepEqual(index.group(group.id), group);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('forgets a group once no Ingress contributes to it', () => {
    const index = new GroupIndex();
    const classes = new Map([['alb', ingressClass('alb', 'albatross.dev/alb')]]);
    const app = ingress({ name: 'app', namespace: 'x', className: 'alb' });
    index.set('x/app', contributionsOf(app, classes, config));
    assert.equal(index.group('x/app')?.members[0]?.key, 'x/app');
    index.delete('x/app');
    assert.equal(index.group('x/app'), undefined);
    assert.deepEqual(index.groups(), []);
  });
});
