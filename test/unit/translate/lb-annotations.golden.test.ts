/**
 * Golden stacks, problems and creation plans of the load-balancer and routing annotations
 * of issue 6: what `albatross plan` shows for them offline.
 */
import { describe, it } from 'node:test';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import { planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import type { Env, TranslateConfig } from '../../../pkg/translate/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, node, path, rule, service } from './fixtures.ts';
import { assertGolden } from './golden.ts';

const A = 'alb.ingress.kubernetes.io/';
const web = service('default/web', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
const api = service('default/api', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30081 }]);
const base = env([web, api], {
  nodes: [node('i-01'), node('i-02')],
  nodeSecurityGroups: new Map([
    ['i-01', 'sg-node'],
    ['i-02', 'sg-node'],
  ]),
});
const root = [rule(undefined, path('/', 'web', 80))];

interface Case {
  readonly name: string;
  readonly group: IngressGroup;
  readonly env?: Env;
  readonly config?: TranslateConfig;
}

const cases: readonly Case[] = [
  {
    name: 'dualstack-internet-facing',
    group: group('default/dual', [
      [
        ingress(
          'default/dual',
          { rules: root },
          {
            [`${A}scheme`]: 'internet-facing',
            [`${A}ip-address-type`]: 'dualstack-without-public-ipv4',
            [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
            [`${A}certificate-arn`]: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
          },
        ),
      ],
    ]),
  },
  {
    name: 'dualstack-without-public-ipv4-internal',
    group: group('shared', [
      [ingress('default/one', { rules: root }, { [`${A}scheme`]: 'internal' })],
      [
        ingress(
          'default/two',
          { rules: [rule('two.example.com', path('/', 'api', 80))] },
          { [`${A}ip-address-type`]: 'dualstack-without-public-ipv4' },
        ),
      ],
    ]),
  },
  {
    name: 'prefix-lists',
    group: group('default/pl', [
      [
        ingress(
          'default/pl',
          { rules: root },
          {
            [`${A}security-group-prefix-lists`]: 'pl-0a1b2c3d,pl-00ff00ff',
            [`${A}listen-ports`]: '[{"HTTP":80},{"HTTP":8080}]',
          },
        ),
      ],
    ]),
  },
  {
    name: 'prefix-lists-and-cidrs',
    group: group('default/pl', [
      [
        ingress(
          'default/pl',
          { rules: root },
          {
            [`${A}security-group-prefix-lists`]: 'pl-0a1b2c3d',
            [`${A}inbound-cidrs`]: '10.0.0.0/8',
          },
        ),
      ],
    ]),
  },
  {
    name: 'listed-security-groups-with-backend-rules',
    group: group('default/sg', [
      [
        ingress(
          'default/sg',
          { rules: root },
          {
            [`${A}security-groups`]: 'sg-0123456789abcdef0',
            [`${A}manage-backend-security-group-rules`]: 'true',
          },
        ),
      ],
    ]),
  },
  {
    name: 'listed-security-groups-without-backend-rules',
    group: group('default/sg', [
      [
        ingress(
          'default/sg',
          { rules: root },
          {
            [`${A}security-groups`]: 'sg-0123456789abcdef0',
            [`${A}inbound-cidrs`]: '10.0.0.0/8',
          },
        ),
      ],
    ]),
  },
  {
    name: 'address-pools-and-capacity',
    group: group('default/pools', [
      [
        ingress(
          'default/pools',
          { rules: root },
          {
            [`${A}customer-owned-ipv4-pool`]: 'ipv4pool-coip-0123456789abcdef0',
            [`${A}ipam-ipv4-pool-id`]: 'ipam-pool-0123456789abcdef0',
            [`${A}minimum-load-balancer-capacity`]: 'CapacityUnits=150',
          },
        ),
      ],
    ]),
  },
  {
    name: 'customer-owned-pool-internet-facing',
    group: group('default/pools', [
      [
        ingress(
          'default/pools',
          { rules: root },
          {
            [`${A}scheme`]: 'internet-facing',
            [`${A}customer-owned-ipv4-pool`]: 'ipv4pool-coip-0123456789abcdef0',
          },
        ),
      ],
    ]),
  },
  {
    name: 'transforms-and-regex-paths',
    group: group('default/rx', [
      [
        ingress(
          'default/rx',
          {
            rules: [
              rule(
                'rx.example.com',
                path('/^/api/v[0-9]+/.*$', 'api', 80, 'ImplementationSpecific'),
                path('/static', 'web', 80),
              ),
            ],
          },
          {
            [`${A}use-regex-path-match`]: 'true',
            [`${A}transforms.api`]:
              '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/api/v[0-9]+/(.*)$","replace":"/$1"}]}}]',
            [`${A}transforms.web`]:
              '[{"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^rx\\\\.example\\\\.com$","replace":"static.internal"}]}}]',
          },
        ),
      ],
    ]),
  },
  {
    name: 'routing-annotation-errors',
    group: group('shared', [
      [
        ingress(
          'default/badregex',
          { rules: [rule(undefined, path('/^/(unclosed', 'web', 80, 'ImplementationSpecific'))] },
          { [`${A}use-regex-path-match`]: 'true' },
        ),
      ],
      [
        ingress(
          'default/twice',
          { rules: [rule(undefined, path('/app', 'web', 80))] },
          {
            'nginx.ingress.kubernetes.io/rewrite-target': '/',
            [`${A}transforms.web`]:
              '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/a$","replace":"/b"}]}}]',
          },
        ),
      ],
      [
        ingress(
          'default/capture',
          { rules: [rule(undefined, path('/cap', 'web', 80))] },
          { 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
        ),
      ],
      [
        ingress(
          'default/badtransform',
          { rules: [rule(undefined, path('/t', 'web', 80))] },
          { [`${A}transforms.web`]: '[{"type":"query-rewrite"}]' },
        ),
      ],
      [ingress('default/good', { rules: [rule('good.example.com', path('/', 'api', 80))] })],
    ]),
  },
  {
    name: 'external-managed-tags',
    config: { ...config, defaultTags: { team: 'platform' }, externalManagedTags: ['CostCenter'] },
    group: group('shared', [
      [ingress('default/one', { rules: root }, { [`${A}tags`]: 'env=prod' })],
      [
        ingress(
          'default/two',
          { rules: [rule('two.example.com', path('/', 'api', 80))] },
          { [`${A}tags`]: 'CostCenter=it' },
        ),
      ],
    ]),
  },
];

describe('load-balancer and routing annotations: golden stacks and plans', () => {
  for (const c of cases) {
    it(`GIVEN ${c.name} THEN the stack, problems and creation plan match golden/${c.name}.json`, () => {
      const result = buildStack(c.group, c.env ?? base, c.config ?? config);
      assertGolden(c.name, { ...result, plan: renderChanges(planChanges(result.stack, null)) });
    });
  }
});
