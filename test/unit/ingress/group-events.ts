/**
 * Random event sequences over a few Ingresses and IngressClasses, for the tests that
 * check an incremental grouping against the full one: Ingresses created, edited (class,
 * group.name, group.order, finalizers, deletion) and deleted; IngressClasses created and
 * deleted.
 */
import fc from 'fast-check';
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { ingress, ingressClass } from './fixtures.ts';

const GROUP = 'alb.ingress.kubernetes.io/group.name';
const ORDER = 'alb.ingress.kubernetes.io/group.order';

export const ingressArb = fc.record({
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

export const eventArb = fc.oneof(
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

export type IngressShape = typeof ingressArb extends fc.Arbitrary<infer T> ? T : never;

export function toIngress(i: IngressShape): V1Ingress {
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

export type GroupEvent = typeof eventArb extends fc.Arbitrary<infer T> ? T : never;

/** Applies an event to the Ingress and IngressClass maps; returns the Ingress key it changed. */
export function applyEvent(
  e: GroupEvent,
  ingresses: Map<string, V1Ingress>,
  classes: Map<string, V1IngressClass>,
): string | undefined {
  if (e.kind === 'ingress-set') {
    const key = `${e.i.namespace}/${e.i.name}`;
    ingresses.set(key, toIngress(e.i));
    return key;
  }
  if (e.kind === 'ingress-delete') {
    const key = `${e.namespace}/${e.name}`;
    ingresses.delete(key);
    return key;
  }
  if (e.kind === 'class-set') {
    const controller = e.ours ? 'albatross.dev/alb' : 'k8s.io/ingress-nginx';
    classes.set(e.name, ingressClass(e.name, controller, { isDefault: e.isDefault }));
  } else {
    classes.delete(e.name);
  }
  return undefined;
}
