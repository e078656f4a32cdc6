import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import type { Env, TranslateConfig } from '../../../pkg/translate/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, node, path, rule, service, slice } from './fixtures.ts';
import { assertGolden } from './golden.ts';

const A = 'alb.ingress.kubernetes.io/';
const web = service('default/web', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
const api = service('default/api', [
  { name: 'http', port: 8080, targetPort: 'http', nodePort: 30081 },
]);
const pods = service('default/pods', [{ name: 'http', port: 80, targetPort: 8080 }], 'ClusterIP');
const base = env([web, api, pods]);

interface Case {
  readonly name: string;
  readonly group: IngressGroup;
  readonly env?: Env;
  readonly config?: TranslateConfig;
}

const many = Array.from({ length: 51 }, (_, i) => path(`/p${i}`, 'web', 80));

const cases: readonly Case[] = [
  {
    name: 'defaults',
    group: group('default/shop', [
      [ingress('default/shop', { rules: [rule(undefined, path('/', 'web', 80))] })],
    ]),
    env: env([web], {
      nodes: [
        node('i-0a'),
        node('i-0b', { ready: false }),
        node('i-0c', { labels: { 'node-role.kubernetes.io/master': '' } }),
        node('i-0d', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }),
        node('i-0e', { labels: { 'eks.amazonaws.com/compute-type': 'fargate' } }),
        node('i-0f', { taint: 'ToBeDeletedByClusterAutoscaler' }),
      ],
    }),
  },
  {
    name: 'path-types',
    group: group('default/paths', [
      [
        ingress('default/paths', {
          rules: [
            rule(
              undefined,
              path('/exact', 'web', 80, 'Exact'),
              path('/prefix/', 'web', 80, 'Prefix'),
              path('/impl/*.png', 'web', 80, 'ImplementationSpecific'),
              path(undefined, 'web', 80, 'ImplementationSpecific'),
              path('/lit*eral', 'web', 80, 'Prefix'),
              path('/q?', 'web', 80, 'Exact'),
            ),
          ],
        }),
      ],
    ]),
  },
  {
    name: 'wildcard-hosts-ordering',
    group: group('default/hosts', [
      [
        ingress('default/hosts', {
          rules: [
            rule(undefined, path('/', 'web', 80)),
            rule('*.example.com', path('/', 'web', 80)),
            rule(
              'shop.example.com',
              path('/', 'web', 80),
              path('/cart', 'api', 'http', 'Exact'),
              path('/cart', 'api', 'http'),
            ),
          ],
        }),
      ],
    ]),
  },
  {
    name: 'reference-order',
    config: { ...config, ruleOrder: 'reference' },
    group: group('default/hosts', [
      [
        ingress('default/hosts', {
          rules: [
            rule(
              undefined,
              path('/', 'web', 80),
              path('/a', 'web', 80, 'ImplementationSpecific'),
              path('/long/er', 'web', 80),
              path('/x', 'web', 80, 'Exact'),
            ),
            rule('shop.example.com', path('/', 'web', 80)),
          ],
        }),
      ],
    ]),
  },
  {
    name: 'https-redirect',
    group: group('default/secure', [
      [
        ingress(
          'default/secure',
          { rules: [rule('secure.example.com', path('/', 'web', 80))] },
          {
            [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443}]',
            [`${A}certificate-arn`]:
              'arn:aws:acm:eu-west-1:1:certificate/a,arn:aws:acm:eu-west-1:1:certificate/b',
            [`${A}ssl-policy`]: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
            [`${A}ssl-redirect`]: '443',
          },
        ),
      ],
    ]),
  },
  {
    name: 'ip-targets-and-target-group-settings',
    group: group('default/ip', [
      [
        ingress(
          'default/ip',
          { rules: [rule('ip.example.com', path('/', 'pods', 80))] },
          {
            [`${A}target-type`]: 'ip',
            [`${A}healthcheck-path`]: '/from-ingress',
            [`${A}healthcheck-interval-seconds`]: '30',
            [`${A}success-codes`]: '200-299',
            [`${A}target-group-attributes`]: 'deregistration_delay.timeout_seconds=30',
            [`${A}tags`]: 'team=web',
          },
        ),
      ],
    ]),
    env: env(
      [
        service('default/pods', [{ name: 'http', port: 80, targetPort: 8080 }], 'ClusterIP', {
          [`${A}healthcheck-path`]: '/from-service',
          [`${A}backend-protocol-version`]: 'HTTP2',
          [`${A}tags`]: 'team=pods,tier=backend',
        }),
      ],
      {
        endpointSlices: new Map([
          [
            'default/pods',
            [
              slice(
                'pods',
                8080,
                [
                  ['10.0.1.2', true],
                  ['10.0.1.3', false],
                  ['10.0.1.1', true],
                ],
                'http',
              ),
            ],
          ],
        ]),
      },
    ),
  },
  {
    // Every health-check setting away from its default, the Service's value over the Ingress's.
    name: 'health-check-settings',
    group: group('default/hc', [
      [
        ingress(
          'default/hc',
          { rules: [rule(undefined, path('/', 'web', 80))] },
          {
            [`${A}healthcheck-protocol`]: 'HTTPS',
            [`${A}healthcheck-port`]: '8443',
            [`${A}healthcheck-path`]: '/ingress-health',
            [`${A}healthcheck-interval-seconds`]: '20',
            [`${A}healthcheck-timeout-seconds`]: '7',
            [`${A}healthy-threshold-count`]: '3',
            [`${A}unhealthy-threshold-count`]: '4',
            [`${A}success-codes`]: '200,204',
          },
        ),
      ],
    ]),
    env: env([
      service(
        'default/web',
        [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }],
        'NodePort',
        { [`${A}healthcheck-timeout-seconds`]: '9', [`${A}unhealthy-threshold-count`]: '5' },
      ),
    ]),
  },
  {
    name: 'load-balancer-annotations',
    group: group('default/lb', [
      [
        ingress(
          'default/lb',
          { rules: [rule(undefined, path('/', 'api', 'http'))] },
          {
            [`${A}scheme`]: 'internet-facing',
            [`${A}ip-address-type`]: 'dualstack',
            [`${A}load-balancer-name`]: 'my-shop',
            [`${A}inbound-cidrs`]: '10.0.0.0/8,2600:1f00::/40',
            [`${A}load-balancer-attributes`]:
              'idle_timeout.timeout_seconds=120,routing.http2.enabled=true',
            [`${A}tags`]: 'cost-center=42',
            [`${A}backend-protocol`]: 'HTTPS',
            [`${A}backend-protocol-version`]: 'GRPC',
            [`${A}healthcheck-port`]: 'http',
            [`${A}target-node-labels`]: 'pool=web',
          },
        ),
      ],
    ]),
    env: env([api], {
      nodes: [node('i-01', { labels: { pool: 'web' } }), node('i-02')],
      nodeSecurityGroups: new Map([['i-01', 'sg-node']]),
    }),
  },
  {
    name: 'actions-and-conditions',
    group: group('default/act', [
      [
        ingress(
          'default/act',
          {
            rules: [
              rule(
                'act.example.com',
                path('/maintenance', 'down', 'use-annotation'),
                path('/old', 'moved', 'use-annotation'),
                path('/canary', 'split', 'use-annotation'),
                path('/beta', 'web', 80),
                path('/ghost', 'nothing', 'use-annotation'),
              ),
            ],
          },
          {
            [`${A}actions.down`]:
              '{"type":"fixed-response","fixedResponseConfig":{"contentType":"text/plain","statusCode":"503","messageBody":"maintenance"}}',
            [`${A}actions.moved`]:
              '{"type":"redirect","redirectConfig":{"path":"/new","statusCode":"HTTP_301"}}',
            [`${A}actions.split`]:
              '{"type":"forward","forwardConfig":{"targetGroups":[{"serviceName":"web","servicePort":80,"weight":90},{"serviceName":"api","servicePort":"http","weight":10},{"targetGroupARN":"arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/ext/1","weight":0}],"targetGroupStickinessConfig":{"enabled":true,"durationSeconds":60}}}',
            [`${A}conditions.web`]:
              '[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"X-Beta","values":["1"]}}]',
          },
        ),
      ],
    ]),
  },
  {
    name: 'group-orders',
    group: group('shared', [
      [
        ingress(
          'team-a/first',
          { rules: [rule(undefined, path('/', 'web', 80))] },
          { [`${A}group.name`]: 'shared', [`${A}group.order`]: '-1' },
        ),
        -1,
      ],
      [
        ingress(
          'default/second',
          { rules: [rule('b.example.com', path('/b', 'web', 80))] },
          { [`${A}group.name`]: 'shared' },
        ),
        0,
      ],
      [
        ingress(
          'default/third',
          { rules: [rule('c.example.com', path('/c/longer', 'web', 80))] },
          { [`${A}group.name`]: 'shared' },
        ),
        0,
      ],
    ]),
  },
  {
    name: 'conflicts-freeze-later-member',
    group: group('shared', [
      [
        ingress(
          'default/one',
          { rules: [rule('one.example.com', path('/', 'web', 80))] },
          { [`${A}scheme`]: 'internet-facing', [`${A}tags`]: 'env=prod' },
        ),
      ],
      [
        ingress(
          'default/two',
          { rules: [rule('two.example.com', path('/', 'web', 80))] },
          { [`${A}scheme`]: 'internal' },
        ),
      ],
      [
        ingress(
          'default/three',
          { rules: [rule('three.example.com', path('/', 'web', 80))] },
          { [`${A}tags`]: 'env=dev' },
        ),
      ],
      [
        ingress(
          'default/four',
          { rules: [rule('four.example.com', path('/', 'web', 80))] },
          { [`${A}listen-ports`]: '[{"HTTPS":80}]' },
        ),
      ],
    ]),
  },
  {
    name: 'default-backends',
    group: group('shared', [
      [
        ingress('default/one', {
          defaultBackend: { service: { name: 'web', port: { number: 80 } } },
        }),
      ],
      [ingress('default/two', { rules: [rule('two.example.com', path('/', 'api', 'http'))] })],
    ]),
  },
  {
    name: 'default-backends-conflict',
    group: group('shared', [
      [
        ingress('default/one', {
          defaultBackend: { service: { name: 'web', port: { number: 80 } } },
        }),
      ],
      [
        ingress('default/two', {
          defaultBackend: { service: { name: 'api', port: { number: 8080 } } },
        }),
      ],
      [ingress('default/three', { rules: [rule('three.example.com', path('/', 'web', 80))] })],
    ]),
  },
  {
    name: 'bad-member-is-frozen',
    group: group('shared', [
      [ingress('default/good', { rules: [rule('good.example.com', path('/', 'web', 80))] })],
      [
        ingress(
          'default/bad',
          { rules: [rule('bad.example.com', path('/', 'web', 80))] },
          {
            [`${A}scheme`]: 'internet-facing',
            [`${A}actions.x`]: '{"type":',
            [`${A}listen-ports`]: '[{"HTTP":8080}]',
          },
        ),
      ],
    ]),
  },
  {
    name: 'backend-problems',
    group: group('default/be', [
      [ingress('default/be', { rules: [rule(undefined, path('/missing', 'nope', 80))] })],
    ]),
  },
  {
    name: 'backend-errors',
    group: group('shared', [
      [ingress('default/ext', { rules: [rule(undefined, path('/ext', 'ext', 80))] })],
      [ingress('default/port', { rules: [rule(undefined, path('/port', 'web', 'grpc'))] })],
      [ingress('default/clusterip', { rules: [rule(undefined, path('/cip', 'pods', 80))] })],
      [ingress('default/host', { rules: [rule('a.*.example.com', path('/', 'web', 80))] })],
    ]),
    env: env([
      web,
      pods,
      {
        metadata: { namespace: 'default', name: 'ext' },
        spec: { type: 'ExternalName', externalName: 'example.org' },
      },
    ]),
  },
  {
    name: 'listed-security-groups',
    group: group('default/sg', [
      [
        ingress(
          'default/sg',
          { rules: [rule(undefined, path('/', 'web', 80))] },
          { [`${A}security-groups`]: 'sg-123,web-frontend' },
        ),
      ],
    ]),
  },
  {
    name: 'subnets-discovered',
    group: group('default/net', [
      [
        ingress(
          'default/net',
          { rules: [rule(undefined, path('/', 'web', 80))] },
          { [`${A}scheme`]: 'internet-facing' },
        ),
      ],
    ]),
    env: env([web], {
      subnets: [
        {
          subnetId: 'subnet-b',
          availabilityZone: 'a',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { 'kubernetes.io/role/elb': '1' },
        },
        {
          subnetId: 'subnet-a',
          availabilityZone: 'a',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { 'kubernetes.io/role/elb': '' },
        },
        {
          subnetId: 'subnet-c',
          availabilityZone: 'b',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/test': 'owned' },
        },
        {
          subnetId: 'subnet-0',
          availabilityZone: 'b',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { 'kubernetes.io/role/elb': '1' },
        },
        {
          subnetId: 'subnet-d',
          availabilityZone: 'c',
          vpcId: 'v',
          availableIpAddressCount: 3,
          tags: { 'kubernetes.io/role/elb': '1' },
        },
        {
          subnetId: 'subnet-e',
          availabilityZone: 'd',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { 'kubernetes.io/role/elb': '1', 'kubernetes.io/cluster/other': 'shared' },
        },
        {
          subnetId: 'subnet-f',
          availabilityZone: 'e',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { 'kubernetes.io/role/internal-elb': '1' },
        },
      ],
    }),
  },
  {
    name: 'subnets-not-enough',
    group: group('default/net', [
      [
        ingress(
          'default/net',
          { rules: [rule(undefined, path('/', 'web', 80))] },
          { [`${A}subnets`]: 'subnet-a,private-b' },
        ),
      ],
    ]),
    env: env([web], {
      subnets: [
        {
          subnetId: 'subnet-a',
          availabilityZone: 'a',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: {},
        },
        {
          subnetId: 'subnet-b',
          availabilityZone: 'a',
          vpcId: 'v',
          availableIpAddressCount: 100,
          tags: { Name: 'private-b' },
        },
      ],
    }),
  },
  {
    name: 'rewrite-target',
    group: group('default/rw', [
      [
        ingress(
          'default/rw',
          {
            rules: [
              rule(
                undefined,
                path('/web', 'web', 80, 'ImplementationSpecific'),
                path('/app/', 'web', 80),
                path('/exact', 'web', 80, 'Exact'),
              ),
            ],
          },
          { 'ingress.kubernetes.io/rewrite-target': '/' },
        ),
      ],
    ]),
  },
  {
    name: 'limits',
    group: group('shared', [
      [
        ingress(
          'default/many',
          { rules: [rule(undefined, ...many)] },
          { [`${A}listen-ports`]: '[{"HTTP":80},{"HTTP":8080}]' },
        ),
      ],
      [
        ingress(
          'default/evals',
          { rules: [rule('e.example.com', path('/e', 'web', 80))] },
          {
            [`${A}conditions.web`]:
              '[{"field":"query-string","queryStringConfig":{"values":[{"value":"a"},{"value":"b"},{"value":"c"}]}}]',
          },
        ),
      ],
      [
        ingress('default/long', {
          rules: [rule(undefined, path(`/${'x'.repeat(130)}`, 'web', 80))],
        }),
      ],
    ]),
  },
  {
    // A target optimizer port on one backend; a bad value on another freezes the member.
    // The first member's target groups are shared with other clusters.
    name: 'target-control-port',
    group: group('optim', [
      [
        ingress(
          'default/optim',
          { rules: [rule(undefined, path('/', 'web', 80), path('/api', 'api', 'http'))] },
          {
            [`${A}target-control-port.web.80`]: '3000',
            [`${A}multi-cluster-target-group`]: 'true',
          },
        ),
      ],
      [
        ingress(
          'default/optim-bad',
          { rules: [rule('bad.example.com', path('/', 'web', 80))] },
          { [`${A}target-control-port.web.80`]: '70000' },
        ),
      ],
    ]),
  },
];

describe('buildStack golden stacks', () => {
  for (const c of cases) {
    it(`GIVEN ${c.name} THEN the stack and problems match golden/${c.name}.json`, () => {
      const result = buildStack(c.group, c.env ?? base, c.config ?? config);
      assertGolden(c.name, result);
    });
  }
});

describe('buildStack behaviour', () => {
  const find = (name: string): Case => cases.find((c) => c.name === name)!;
  const run = (name: string) => {
    const c = find(name);
    return buildStack(c.group, c.env ?? base, c.config ?? config);
  };

  it('GIVEN a bad member THEN it is frozen and the good member still builds', () => {
    const { stack, problems } = run('bad-member-is-frozen');
    assert.deepEqual(stack.frozenMembers, ['default/bad']);
    assert.ok(stack.rules.every((r) => r.member === 'default/good'));
    assert.ok(stack.targetGroups.every((t) => t.member === 'default/good'));
    assert.ok(problems.some((p) => p.ingress === 'default/bad' && p.field === `${A}actions.x`));
    // The frozen member's valid scheme still counts: its listener and the ALB stay as they are.
    assert.equal(stack.loadBalancer?.scheme, 'internet-facing');
    assert.deepEqual(
      stack.listeners.map((l) => l.port),
      [80, 8080],
    );
  });

  it('GIVEN every member is frozen THEN the stack asks for no load balancer, so nothing new is created', () => {
    const bad = ingress(
      'default/bad',
      { rules: [rule('bad.example.com', path('/', 'web', 80))] },
      { [`${A}actions.x`]: '{"type":' },
    );
    const { stack, problems } = buildStack(group('default/bad', [[bad]]), base, config);
    assert.deepEqual(stack.frozenMembers, ['default/bad']);
    assert.equal(stack.loadBalancer, null);
    assert.deepEqual(
      [stack.listeners, stack.rules, stack.targetGroups, stack.securityGroups],
      [[], [], [], []],
    );
    assert.ok(problems.some((p) => p.ingress === 'default/bad' && p.severity === 'error'));
  });

  it('GIVEN conflicting exclusive annotations THEN the later member is frozen and the first value kept', () => {
    const { stack, problems } = run('conflicts-freeze-later-member');
    assert.equal(stack.loadBalancer?.scheme, 'internet-facing');
    assert.deepEqual(stack.frozenMembers, ['default/two', 'default/three', 'default/four']);
    const two = problems.find((p) => p.ingress === 'default/two');
    assert.ok(two);
    assert.equal(two.field, `${A}scheme`);
    assert.equal(two.value, 'internal');
    assert.match(two.message, /default\/one/);
  });

  it('GIVEN specification order THEN exact host before wildcard before none, longer path and Exact first', () => {
    const { stack } = run('wildcard-hosts-ordering');
    const hostsAndPaths = stack.rules.map((r) =>
      r.conditions.map((c) => JSON.stringify(c.HostHeaderConfig ?? c.PathPatternConfig)).join(' '),
    );
    assert.equal(stack.rules.length, 5);
    assert.match(hostsAndPaths[0] ?? '', /shop.*\/cart"\]/);
    assert.match(hostsAndPaths[1] ?? '', /shop.*\/cart\/\*/);
    assert.match(hostsAndPaths[3] ?? '', /\[\^\.\]\+/);
    assert.deepEqual(
      stack.rules.map((r) => r.priority),
      [1, 2, 3, 4, 5],
    );
  });

  it('GIVEN a reorder THEN rule ids stay and only priorities change', () => {
    const c = find('wildcard-hosts-ordering');
    const a = buildStack(c.group, base, config).stack.rules;
    const b = buildStack(c.group, base, { ...config, ruleOrder: 'reference' }).stack.rules;
    assert.deepEqual(new Set(a.map((r) => r.id)), new Set(b.map((r) => r.id)));
    assert.notDeepEqual(
      a.map((r) => r.id),
      b.map((r) => r.id),
    );
  });

  it('GIVEN garbage where the types promise fields THEN buildStack does not throw', () => {
    const junk = {
      metadata: { name: 'j', namespace: 'default' },
      spec: { rules: [{ http: { paths: [{}] } }, {}, { host: 7 }] },
    };
    const g = group('default/j', [[junk as never]]);
    assert.doesNotThrow(() => buildStack(g, base, config));
    assert.doesNotThrow(() => buildStack(group('default/k', [[{}]]), base, config));
  });
});
