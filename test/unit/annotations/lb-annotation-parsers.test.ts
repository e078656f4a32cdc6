import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCustomerOwnedIpv4Pool,
  parseIpamPoolId,
  parseMinimumCapacity,
  parsePrefixLists,
  parseTransforms,
  readIngressAnnotations,
} from '../../../pkg/annotations/index.ts';
import type { Parser } from '../../../pkg/annotations/index.ts';

const cases: readonly {
  readonly name: string;
  readonly parse: Parser<unknown>;
  readonly good: readonly (readonly [string, unknown])[];
  readonly bad: readonly (readonly [string, string])[];
}[] = [
  {
    name: 'security-group-prefix-lists',
    parse: parsePrefixLists,
    good: [
      ['pl-0a1b2c3d', ['pl-0a1b2c3d']],
      ['pl-1, pl-00ff', ['pl-1', 'pl-00ff']],
    ],
    bad: [
      ['sg-123', "entry 'sg-123' must be a managed prefix list ID such as 'pl-0a1b2c3d'"],
      ['', 'at least one entry'],
    ],
  },
  {
    name: 'customer-owned-ipv4-pool',
    parse: parseCustomerOwnedIpv4Pool,
    good: [['ipv4pool-coip-0123abcd', 'ipv4pool-coip-0123abcd']],
    bad: [['ipam-pool-1', "such as 'ipv4pool-coip-0123456789abcdef0'"]],
  },
  {
    name: 'ipam-ipv4-pool-id',
    parse: parseIpamPoolId,
    good: [['ipam-pool-0123abcd', 'ipam-pool-0123abcd']],
    bad: [['pool-1', "such as 'ipam-pool-0123456789abcdef0'"]],
  },
  {
    name: 'minimum-load-balancer-capacity',
    parse: parseMinimumCapacity,
    good: [
      ['CapacityUnits=100', 100],
      [' CapacityUnits = 1500 ', 1500],
      ['CapacityUnits=0', 0],
    ],
    bad: [
      ['100', "'CapacityUnits=N'"],
      ['CapacityUnits=-1', 'whole number (0: no reservation)'],
      ['CapacityUnits=ten', 'whole number (0: no reservation)'],
      ['CapacityUnits=1,Other=2', "'CapacityUnits=N'"],
    ],
  },
  {
    name: 'transforms.*',
    parse: parseTransforms,
    good: [
      [
        '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"^/a/(.*)$","replace":"/$1"}]}}]',
        [
          {
            Type: 'url-rewrite',
            UrlRewriteConfig: { Rewrites: [{ Regex: '^/a/(.*)$', Replace: '/$1' }] },
          },
        ],
      ],
      [
        '[{"type":"host-header-rewrite","hostHeaderRewriteConfig":{"rewrites":[{"regex":"^a$","replace":"b"}]}}]',
        [
          {
            Type: 'host-header-rewrite',
            HostHeaderRewriteConfig: { Rewrites: [{ Regex: '^a$', Replace: 'b' }] },
          },
        ],
      ],
    ],
    bad: [
      ['{"type":"url-rewrite"}', 'must be a JSON list of transforms'],
      ['[{"type":"path-rewrite"}]', '[0].type "path-rewrite" is not allowed'],
      [
        '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[]}}]',
        '[0].urlRewriteConfig.rewrites must be a list of exactly one {regex, replace}',
      ],
      [
        '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"","replace":"/"}]}}]',
        'regex must be a non-empty string',
      ],
      [
        '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"a","replace":"b"}]}},{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"c","replace":"d"}]}}]',
        "[1].type 'url-rewrite' is given twice",
      ],
      ['[{', 'invalid JSON'],
    ],
  },
];

describe('load-balancer and routing annotation parsers', () => {
  for (const c of cases) {
    it(`GIVEN valid ${c.name} values THEN they are parsed`, () => {
      for (const [raw, value] of c.good) assert.deepEqual(c.parse(raw), { ok: true, value }, raw);
    });
    it(`GIVEN invalid ${c.name} values THEN the message says what is allowed`, () => {
      for (const [raw, fragment] of c.bad) {
        const r = c.parse(raw);
        assert.ok(!r.ok, raw);
        assert.ok(r.message.includes(fragment), `${raw}: ${r.message}`);
      }
    });
  }

  it('GIVEN an Ingress with the new annotations THEN each is read, and a bad one is an error naming it', () => {
    const A = 'alb.ingress.kubernetes.io/';
    const { value, errors } = readIngressAnnotations({
      [`${A}security-group-prefix-lists`]: 'pl-1',
      [`${A}manage-backend-security-group-rules`]: 'true',
      [`${A}use-regex-path-match`]: 'yes',
      [`${A}ipam-ipv4-pool-id`]: 'ipam-pool-1',
      [`${A}minimum-load-balancer-capacity`]: 'CapacityUnits=5',
      [`${A}transforms.api`]:
        '[{"type":"url-rewrite","urlRewriteConfig":{"rewrites":[{"regex":"a","replace":"b"}]}}]',
    });
    assert.deepEqual(value.prefixLists, ['pl-1']);
    assert.equal(value.manageBackendSecurityGroupRules, true);
    assert.equal(value.useRegexPathMatch, undefined);
    assert.equal(value.ipamIpv4PoolId, 'ipam-pool-1');
    assert.equal(value.minimumCapacityUnits, 5);
    assert.deepEqual([...value.transforms.keys()], ['api']);
    assert.deepEqual(errors, [
      {
        field: `${A}use-regex-path-match`,
        value: 'yes',
        message: "must be 'true' or 'false'",
      },
    ]);
  });
});
