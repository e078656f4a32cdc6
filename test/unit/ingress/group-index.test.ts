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
import { applyEvent, eventArb } from './group-events.ts';

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
          const changed = applyEvent(e, ingresses, classes);
          if (changed !== undefined) recompute(changed);
          else for (const key of ingresses.keys()) recompute(key);
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
