/**
 * `conditions.${name}` adding hosts or paths to a rule that has them: ALB takes one
 * host-header and one path-pattern condition per rule, so the values are merged into it
 * (an OR), as the reference controller does, within the 5 evaluations of a rule. Each case
 * routes requests with the ALB evaluator over the translated rules.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1HTTPIngressPath } from '@kubernetes/client-node';
import type { Stack } from '../../../pkg/model/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { albSelect } from './alb-evaluator.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';

const A = 'alb.ingress.kubernetes.io/';
const world = env([service('default/s0', [{ port: 80, nodePort: 30000 }])]);
const hosts = (values: string) => `[{"field":"host-header","hostHeaderConfig":{${values}}}]`;
const paths = (values: string) => `[{"field":"path-pattern","pathPatternConfig":{${values}}}]`;

function build(host: string | undefined, p: V1HTTPIngressPath, conditions: string) {
  const member = ingress(
    'default/shop',
    { rules: [rule(host, p)] },
    { [`${A}conditions.s0`]: conditions },
  );
  return buildStack(group('default/shop', [[member]]), world, config);
}

function fieldsOf(stack: Stack): readonly string[] {
  return stack.rules.flatMap((r) => r.conditions.map((c) => c.Field));
}

const at = (stack: Stack, host: string, p: string) => albSelect(stack, 80, { host, path: p });

describe('conditions merged into the rule host and path', () => {
  it('GIVEN a host and conditions adding host values THEN one host-header condition holds both, and either host reaches the Service', () => {
    const { stack, problems } = build(
      'shop.example.com',
      path('/', 's0', 80),
      hosts('"values":["shop.example.org"]'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(fieldsOf(stack), ['host-header', 'path-pattern']);
    assert.deepEqual(stack.rules[0]?.conditions[0], {
      Field: 'host-header',
      HostHeaderConfig: { Values: ['shop.example.com', 'shop.example.org'] },
    });
    assert.equal(at(stack, 'shop.example.com', '/a'), 'default/s0:80');
    assert.equal(at(stack, 'SHOP.example.org', '/a'), 'default/s0:80');
    assert.equal(at(stack, 'other.example.com', '/a'), 'fixed:404');
  });

  it('GIVEN a Prefix path and conditions adding path values THEN one path-pattern condition holds both', () => {
    const { stack, problems } = build(
      undefined,
      path('/shop', 's0', 80),
      paths('"values":["/cart/*"]'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(fieldsOf(stack), ['path-pattern']);
    assert.deepEqual(stack.rules[0]?.conditions[0]?.PathPatternConfig, {
      Values: ['/shop', '/shop/*', '/cart/*'],
    });
    assert.equal(at(stack, 'any', '/shop/x'), 'default/s0:80');
    assert.equal(at(stack, 'any', '/cart/1'), 'default/s0:80');
    assert.equal(at(stack, 'any', '/shopping'), 'fixed:404');
  });

  it('GIVEN a wildcard host (a regex) and plain host values THEN the plain ones become the regex matching exactly them', () => {
    const { stack, problems } = build(
      '*.example.com',
      path('/', 's0', 80),
      hosts('"values":["Shop.Example.org","api-?.example.net"]'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(stack.rules[0]?.conditions[0]?.HostHeaderConfig, {
      RegexValues: ['^[^.]+\\.example\\.com$', '^shop\\.example\\.org$', '^api-.\\.example\\.net$'],
    });
    for (const [host, want] of [
      ['a.example.com', 'default/s0:80'],
      ['a.b.example.com', 'fixed:404'],
      ['shop.example.org', 'default/s0:80'],
      ['SHOP.EXAMPLE.ORG', 'default/s0:80'],
      ['shopXexample.org', 'fixed:404'],
      ['api-1.example.net', 'default/s0:80'],
      ['api-12.example.net', 'fixed:404'],
    ] as const) {
      assert.equal(at(stack, host, '/'), want, host);
    }
  });

  it('GIVEN a plain path and regexValues THEN the path values become regexes and the union is routed', () => {
    const { stack, problems } = build(
      undefined,
      path('/shop', 's0', 80),
      paths('"regexValues":["^/v[0-9]+/cart$"]'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(stack.rules[0]?.conditions[0]?.PathPatternConfig, {
      RegexValues: ['^/shop$', '^/shop/.*$', '^/v[0-9]+/cart$'],
    });
    assert.equal(at(stack, 'any', '/shop'), 'default/s0:80');
    assert.equal(at(stack, 'any', '/shop/a/b'), 'default/s0:80');
    assert.equal(at(stack, 'any', '/v2/cart'), 'default/s0:80');
    assert.equal(at(stack, 'any', '/shopping'), 'fixed:404');
  });

  it('GIVEN a merge needing more than 5 evaluations THEN the member is refused with the limit named', () => {
    const { stack, problems } = build(
      'shop.example.com',
      path('/shop', 's0', 80),
      paths('"values":["/a","/b","/c"]'),
    );
    assert.deepEqual(stack.rules, []);
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.message ?? '', /needs 6 match evaluations.*at most 5/);
  });

  it('GIVEN a plain value that as a regex passes 128 characters THEN the member is refused, naming the annotation and the limit', () => {
    const long = `/${'a.'.repeat(60)}`;
    const { stack, problems } = build(
      undefined,
      path(long, 's0', 80, 'Exact'),
      paths('"regexValues":["^/x$"]'),
    );
    assert.deepEqual(stack.rules, []);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.field, `${A}conditions.s0`);
    assert.match(problems[0].message, /regexValues only.*at most 128/);
  });

  it('GIVEN a rule without a host and conditions adding one THEN it is the rule host, after the path as before', () => {
    const { stack, problems } = build(
      undefined,
      path('/shop', 's0', 80),
      hosts('"values":["a.example.com"]'),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(fieldsOf(stack), ['path-pattern', 'host-header']);
  });
});
