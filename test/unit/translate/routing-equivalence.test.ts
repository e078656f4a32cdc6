import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { V1HTTPIngressPath } from '@kubernetes/client-node';
import { buildStack } from '../../../pkg/translate/index.ts';
import { albSelect } from './alb-evaluator.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';
import { specSelect } from './spec-evaluator.ts';

const services = ['s1', 's2', 's3'].map((n, i) =>
  service(`default/${n}`, [{ port: 80, nodePort: 30000 + i }]),
);
const theEnv = env(services);

const segment = fc.constantFrom('a', 'b', 'ab', 'a.b');
const pathText = fc
  .tuple(fc.array(segment, { maxLength: 3 }), fc.boolean())
  .map(([segs, slash]) => `/${segs.join('/')}${slash && segs.length > 0 ? '/' : ''}`);
const ingressPath = fc
  .tuple(pathText, fc.constantFrom('Exact', 'Prefix'), fc.constantFrom('s1', 's2', 's3'))
  .map(([p, type, svc]): V1HTTPIngressPath => path(p, svc, 80, type));
const host = fc.constantFrom(
  undefined,
  'a.example.com',
  'b.example.com',
  '*.example.com',
  '*.b.example.com',
);
const ingressRule = fc.tuple(host, fc.array(ingressPath, { minLength: 1, maxLength: 3 }));
const member = fc.tuple(
  fc.array(ingressRule, { minLength: 1, maxLength: 3 }),
  fc.integer({ min: -1, max: 1 }),
);
const members = fc.array(member, { minLength: 1, maxLength: 3 });
const request = fc.record({
  host: fc.constantFrom(
    'a.example.com',
    'A.Example.com',
    'b.example.com',
    'x.example.com',
    'x.b.example.com',
    'x.y.example.com',
    'example.com',
    'other.org',
  ),
  path: pathText,
});

describe('routing equivalence', () => {
  it('GIVEN generated Ingress groups and requests THEN the ALB rules select the backend the Ingress specification selects', () => {
    fc.assert(
      fc.property(members, fc.array(request, { minLength: 1, maxLength: 10 }), (ms, reqs) => {
        const sorted = ms
          .map(([rules, order], i) => ({ rules, order, name: `m${i}` }))
          .sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
        const g = group(
          'shared',
          sorted.map(
            (m) =>
              [
                ingress(`default/${m.name}`, { rules: m.rules.map(([h, ps]) => rule(h, ...ps)) }),
                m.order,
              ] as const,
          ),
        );
        const { stack, problems } = buildStack(g, theEnv, config);
        assert.deepEqual(problems, []);
        for (const req of reqs) {
          const spec = specSelect(g, req);
          const alb = albSelect(stack, 80, req);
          // Backends compare by Service and port: each member has its own target group.
          assert.equal(
            alb.replace(/^default\//, ''),
            spec.replace(/^default\//, ''),
            JSON.stringify(req),
          );
        }
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });
});
