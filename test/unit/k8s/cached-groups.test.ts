/**
 * CachedGroups, the group index the caches keep, loads every group exactly as the full
 * grouping over the same cache, after every step of random event sequences, with loads
 * between the events (so the index is updated in place, not only rebuilt): only the
 * changed Ingress is fed to it, and a class change only invalidates it. A group no
 * Ingress contributes to is `undefined`, which sends the reconciler to the full grouping.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { groupIngresses } from '../../../pkg/ingress/index.ts';
import { CachedGroups } from '../../../pkg/k8s/cached-groups.ts';
import { config } from '../ingress/fixtures.ts';
import { applyEvent, eventArb } from '../ingress/group-events.ts';

/** Every group id the events can produce, contributed to or not. */
const IDS = [
  'shared',
  'other',
  'x/a',
  'x/b',
  'x/c',
  'x/d',
  'x/e',
  'y/a',
  'y/b',
  'y/c',
  'y/d',
  'y/e',
];

describe('CachedGroups', () => {
  it('loads each group as the full grouping does, after every step of random event sequences', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (events) => {
        const ingresses = new Map<string, V1Ingress>();
        const classes = new Map<string, V1IngressClass>();
        const cached = new CachedGroups({
          ingress: (key) => ingresses.get(key),
          ingressList: () => [...ingresses.values()],
          ingressClassMap: () => classes,
          classParamsInput: () => ({ params: undefined, namespaceLabels: new Map() }),
        });
        for (const e of events) {
          const before =
            e.kind === 'ingress-delete' ? ingresses.get(`${e.namespace}/${e.name}`) : undefined;
          const changed = applyEvent(e, ingresses, classes);
          if (changed === undefined) cached.invalidate();
          else {
            const now = ingresses.get(changed);
            if (now !== undefined) cached.ingressChanged('updated', now);
            else if (before !== undefined) cached.ingressChanged('deleted', before);
          }
          const full = new Map(
            groupIngresses([...ingresses.values()], classes, config).map((g) => [g.id, g]),
          );
          for (const id of IDS) assert.deepEqual(cached.group(id, config), full.get(id), id);
        }
      }),
      { numRuns: 300 },
    );
  });
});
