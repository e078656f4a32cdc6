/**
 * `use-regex-path-match`: an ImplementationSpecific path is `/` followed by the regex
 * (Kubernetes makes every path start with `/`; the reference controller drops it). The
 * requests are routed by the ALB evaluator over the translated rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildStack } from '../../../pkg/translate/index.ts';
import { albSelect } from './alb-evaluator.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';

const A = 'alb.ingress.kubernetes.io/';
const world = env([
  service('default/api', [{ port: 80, nodePort: 30001 }]),
  service('default/web', [{ port: 80, nodePort: 30002 }]),
]);

function regexIngress(p: string) {
  return ingress(
    'default/rx',
    {
      rules: [
        rule(
          'rx.example.com',
          path(p, 'api', 80, 'ImplementationSpecific'),
          path('/', 'web', 80, 'Prefix'),
        ),
      ],
    },
    { [`${A}use-regex-path-match`]: 'true' },
  );
}

describe('regex paths', () => {
  it('GIVEN the path /^/api/v[0-9]+/.*$ THEN the rule regex is ^/api/v[0-9]+/.*$ and /api/v1/users reaches api, not the catch-all', () => {
    const { stack, problems } = buildStack(
      group('default/rx', [[regexIngress('/^/api/v[0-9]+/.*$')]]),
      world,
      config,
    );
    assert.deepEqual(problems, []);
    const regex = stack.rules.flatMap((r) =>
      r.conditions.flatMap((c) => c.PathPatternConfig?.RegexValues ?? []),
    );
    assert.deepEqual(regex, ['^/api/v[0-9]+/.*$']);
    const at = (p: string) => albSelect(stack, 80, { host: 'rx.example.com', path: p });
    assert.equal(at('/api/v1/users'), 'default/api:80');
    assert.equal(at('/api/latest/users'), 'default/web:80');
    assert.equal(at('/'), 'default/web:80');
  });

  for (const [given, why] of [
    ['^/api/.*$', /must start with '\/'/],
    ['/', /'\/' followed by a non-empty regex/],
    ['/^/(unclosed', /'\/' followed by a valid regular expression/],
  ] as const) {
    it(`GIVEN the path ${given} THEN the member is refused, naming the path and what is allowed`, () => {
      const { stack, problems } = buildStack(
        group('default/rx', [[regexIngress(given)]]),
        world,
        config,
      );
      assert.deepEqual(stack.rules, []);
      assert.equal(problems.length, 1);
      const [only] = problems;
      assert.equal(only?.field, 'spec.rules[0].http.paths[0].path');
      assert.equal(only.value, given);
      assert.match(only.message, why);
      assert.match(only.message, /e\.g\. '\/\^\/api/);
    });
  }
});
