/**
 * Every group-level annotation, exclusive or merged, across two IngressGroup members:
 * a conflict is reported on both members (an error freezing the later one, a warning on
 * the one whose value is kept, each naming the other), and the first member's value wins.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stack } from '../../../pkg/model/index.ts';
import {
  buildStack,
  EXCLUSIVE_ANNOTATIONS,
  MERGED_ANNOTATIONS,
} from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';

const A = 'alb.ingress.kubernetes.io/';
const web = service('default/web', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
const world = env([web]);
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/one';
const https = {
  [`${A}listen-ports`]: '[{"HTTP":80},{"HTTPS":443},{"HTTPS":8443}]',
  [`${A}certificate-arn`]: CERT,
};

interface ExclusiveRow {
  /** The value of the first member, of the second, and what the stack then shows. */
  readonly first: string;
  readonly second: string;
  readonly kept: (s: Stack) => unknown;
  readonly expected: unknown;
  /** Annotations both members need for the value to make sense. */
  readonly common?: Record<string, string>;
}

const lb = (s: Stack) => s.loadBalancer;
const exclusive: Readonly<Record<(typeof EXCLUSIVE_ANNOTATIONS)[number], ExclusiveRow>> = {
  scheme: {
    first: 'internet-facing',
    second: 'internal',
    kept: (s) => lb(s)?.scheme,
    expected: 'internet-facing',
  },
  'ip-address-type': {
    first: 'dualstack',
    second: 'ipv4',
    kept: (s) => lb(s)?.ipAddressType,
    expected: 'dualstack',
  },
  'load-balancer-name': {
    first: 'shop-a',
    second: 'shop-b',
    kept: (s) => lb(s)?.name,
    expected: 'shop-a',
  },
  subnets: {
    first: 'subnet-a,subnet-b',
    second: 'subnet-c,subnet-d',
    kept: (s) => lb(s)?.subnets,
    expected: { kind: 'listed', entries: ['subnet-a', 'subnet-b'] },
  },
  'security-groups': {
    first: 'sg-0aaaaaaa',
    second: 'sg-0bbbbbbb',
    kept: (s) => lb(s)?.securityGroups,
    expected: [{ kind: 'listed', entry: 'sg-0aaaaaaa' }],
  },
  'inbound-cidrs': {
    first: '10.0.0.0/8',
    second: '192.168.0.0/16',
    kept: (s) => s.securityGroups[0]?.ingress.map((i) => i.cidrIpv4),
    expected: ['10.0.0.0/8'],
  },
  'security-group-prefix-lists': {
    first: 'pl-0aaaaaaa',
    second: 'pl-0bbbbbbb',
    kept: (s) => s.securityGroups[0]?.ingress.map((i) => i.prefixListId),
    expected: ['pl-0aaaaaaa'],
  },
  'manage-backend-security-group-rules': {
    first: 'true',
    second: 'false',
    common: { [`${A}security-groups`]: 'sg-0aaaaaaa' },
    kept: (s) => lb(s)?.securityGroups.map((g) => g.kind),
    expected: ['listed', 'shared-backend'],
  },
  'customer-owned-ipv4-pool': {
    first: 'ipv4pool-coip-0aaaaaaa',
    second: 'ipv4pool-coip-0bbbbbbb',
    kept: (s) => lb(s)?.customerOwnedIpv4Pool,
    expected: 'ipv4pool-coip-0aaaaaaa',
  },
  'ipam-ipv4-pool-id': {
    first: 'ipam-pool-0aaaaaaa',
    second: 'ipam-pool-0bbbbbbb',
    kept: (s) => lb(s)?.ipamIpv4PoolId,
    expected: 'ipam-pool-0aaaaaaa',
  },
  'minimum-load-balancer-capacity': {
    first: 'CapacityUnits=100',
    second: 'CapacityUnits=200',
    kept: (s) => lb(s)?.minimumCapacityUnits,
    expected: 100,
  },
  'ssl-policy': {
    first: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
    second: 'ELBSecurityPolicy-2016-08',
    common: https,
    kept: (s) => s.listeners.find((l) => l.port === 443)?.sslPolicy,
    expected: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
  },
  'ssl-redirect': {
    first: '443',
    second: '8443',
    common: https,
    kept: (s) => s.listeners.find((l) => l.port === 80)?.defaultActions[0]?.RedirectConfig?.Port,
    expected: '443',
  },
};

function twoMembers(first: Record<string, string>, second: Record<string, string>) {
  return group('shared', [
    [ingress('default/one', { rules: [rule('one.example.com', path('/', 'web', 80))] }, first)],
    [ingress('default/two', { rules: [rule('two.example.com', path('/', 'web', 80))] }, second)],
  ]);
}

function brief(
  problems: readonly { ingress: string; field: string; value: string; severity: string }[],
) {
  return problems.map((p) => `${p.severity} ${p.ingress} ${p.field}=${p.value}`);
}

describe('group rules: exclusive annotations', () => {
  for (const name of EXCLUSIVE_ANNOTATIONS) {
    const row = exclusive[name];
    it(`GIVEN two members setting ${name} differently THEN both are told, the later is frozen and the first value is kept`, () => {
      const { stack, problems } = buildStack(
        twoMembers(
          { ...row.common, [A + name]: row.first },
          { ...row.common, [A + name]: row.second },
        ),
        world,
        config,
      );
      assert.deepEqual(brief(problems), [
        `error default/two ${A}${name}=${row.second}`,
        `warning default/one ${A}${name}=${row.first}`,
      ]);
      assert.match(problems[0]?.message ?? '', new RegExp(`default/one.*'${row.first}'`));
      assert.match(problems[1]?.message ?? '', new RegExp(`default/two sets '${row.second}'`));
      assert.deepEqual(stack.frozenMembers, ['default/two']);
      assert.deepEqual(row.kept(stack), row.expected);
    });
    it(`GIVEN two members setting ${name} to the same value THEN no problem`, () => {
      const { problems, stack } = buildStack(
        twoMembers(
          { ...row.common, [A + name]: row.first },
          { ...row.common, [A + name]: row.first },
        ),
        world,
        config,
      );
      assert.deepEqual(brief(problems), []);
      assert.deepEqual(stack.frozenMembers, []);
    });
  }
});

describe('group rules: merged annotations', () => {
  const cases: readonly {
    readonly name: (typeof MERGED_ANNOTATIONS)[number];
    readonly first: Record<string, string>;
    readonly second: Record<string, string>;
    readonly merged: (s: Stack) => unknown;
    readonly expected: unknown;
    readonly conflict?: readonly [
      Record<string, string>,
      Record<string, string>,
      readonly string[],
    ];
  }[] = [
    {
      name: 'tags',
      first: { [`${A}tags`]: 'team=web' },
      second: { [`${A}tags`]: 'env=prod' },
      merged: (s) => [s.loadBalancer?.tags.team, s.loadBalancer?.tags.env],
      expected: ['web', 'prod'],
      conflict: [
        { [`${A}tags`]: 'env=dev' },
        { [`${A}tags`]: 'env=prod' },
        [`error default/two ${A}tags=env=prod`, `warning default/one ${A}tags=env=dev`],
      ],
    },
    {
      name: 'load-balancer-attributes',
      first: { [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=120' },
      second: { [`${A}load-balancer-attributes`]: 'routing.http2.enabled=true' },
      merged: (s) => s.loadBalancer?.attributes,
      expected: { 'idle_timeout.timeout_seconds': '120', 'routing.http2.enabled': 'true' },
      conflict: [
        { [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=120' },
        { [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=60' },
        [
          `error default/two ${A}load-balancer-attributes=idle_timeout.timeout_seconds=60`,
          `warning default/one ${A}load-balancer-attributes=idle_timeout.timeout_seconds=120`,
        ],
      ],
    },
    {
      name: 'listen-ports',
      first: { [`${A}listen-ports`]: '[{"HTTP":80}]' },
      second: { [`${A}listen-ports`]: '[{"HTTP":8080}]' },
      merged: (s) => s.listeners.map((l) => l.port),
      expected: [80, 8080],
      conflict: [
        { [`${A}listen-ports`]: '[{"HTTP":8080}]' },
        { [`${A}listen-ports`]: '[{"HTTPS":8080}]', [`${A}certificate-arn`]: CERT },
        [
          `error default/two ${A}listen-ports={"HTTPS":8080}`,
          `warning default/one ${A}listen-ports={"HTTP":8080}`,
        ],
      ],
    },
    {
      name: 'certificate-arn',
      first: { [`${A}certificate-arn`]: CERT },
      second: { [`${A}certificate-arn`]: `${CERT}-two` },
      merged: (s) => s.listeners[0]?.certificates.map((c) => c.certificateArn),
      expected: [CERT, `${CERT}-two`],
    },
  ];
  it('GIVEN the merged annotations THEN each has a row here', () => {
    assert.deepEqual(cases.map((c) => c.name).sort(), [...MERGED_ANNOTATIONS].sort());
  });
  for (const c of cases) {
    it(`GIVEN two members setting ${c.name} THEN the values are combined`, () => {
      const { stack, problems } = buildStack(twoMembers(c.first, c.second), world, config);
      assert.deepEqual(brief(problems), []);
      assert.deepEqual(c.merged(stack), c.expected);
    });
    if (c.conflict !== undefined) {
      const [first, second, expected] = c.conflict;
      it(`GIVEN two members giving one ${c.name} entry two values THEN both are told and the later is frozen`, () => {
        const { stack, problems } = buildStack(twoMembers(first, second), world, config);
        assert.deepEqual(brief(problems), expected);
        assert.deepEqual(stack.frozenMembers, ['default/two']);
      });
    }
  }
});
