/**
 * Certificate discovery and add-ons, offline and with a known certificate list: the
 * stack, the problems and the plan against an empty account (or a given actual stack)
 * match goldens; the behaviour a user relies on is asserted beside them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { overlayAnnotations } from '../../../pkg/annotations/index.ts';
import type { ClassParams } from '../../../pkg/annotations/index.ts';
import type { ActualStack } from '../../../pkg/model/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import type { AcmCertificate, Env, TranslateConfig } from '../../../pkg/translate/index.ts';
import { buildStack, certificateCovers } from '../../../pkg/translate/index.ts';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';
import { assertGolden } from './golden.ts';

const A = 'alb.ingress.kubernetes.io/';
const web = service('default/web', [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }]);
const HTTPS = { [`${A}listen-ports`]: '[{"HTTPS":443}]' };
const acm = (
  id: string,
  domains: string[],
  extra: Partial<AcmCertificate> = {},
): AcmCertificate => ({
  arn: `arn:aws:acm:us-east-1:123456789012:certificate/${id}`,
  domains,
  status: 'ISSUED',
  ...extra,
});
const CA = 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/ca-1';
const certificates: readonly AcmCertificate[] = [
  acm('c-wild', ['*.example.com']),
  acm('b-shop', ['shop.example.com', 'www.shop.example.com']),
  acm('a-expired', ['shop.example.com'], { status: 'EXPIRED' }),
  acm('d-private', ['api.internal.example'], { certificateAuthorityArn: CA }),
  acm('e-apex', ['example.com']),
];
const WEB_ACL =
  'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/shop-acl/11111111-2222-3333-4444-555555555555';

interface Case {
  readonly name: string;
  readonly group: IngressGroup;
  readonly env: Env;
  readonly config?: TranslateConfig;
  readonly actual?: ActualStack;
}

const shop = (annotations: Record<string, string> = {}, hosts = ['shop.example.com']) =>
  ingress(
    'default/shop',
    {
      rules: hosts.map((h) => rule(h, path('/', 'web', 80))),
      tls: [{ hosts: ['a.example.com'] }],
    },
    { ...HTTPS, ...annotations },
  );

const cases: readonly Case[] = [
  {
    name: 'certificates-offline',
    group: group('default/shop', [[shop()]]),
    env: env([web]),
  },
  {
    name: 'certificates-discovered',
    group: group('default/shop', [[shop()]]),
    env: env([web], { certificates }),
  },
  {
    name: 'certificates-uncovered-host',
    group: group('shop', [
      [shop()],
      [
        ingress(
          'default/other',
          {
            rules: [
              rule('a.b.example.com', path('/', 'web', 80)),
              rule('example.com', path('/x', 'web', 80)),
            ],
          },
          { ...HTTPS, [`${A}group.name`]: 'shop' },
        ),
      ],
    ]),
    env: env([web], { certificates }),
  },
  {
    name: 'certificates-ca-filter',
    group: group('api', [
      [
        ingress(
          'default/api',
          { rules: [rule('api.internal.example', path('/', 'web', 80))] },
          { ...HTTPS, [`${A}group.name`]: 'api' },
        ),
      ],
      [
        ingress(
          'default/public',
          { rules: [rule('shop.example.com', path('/s', 'web', 80))] },
          { ...HTTPS, [`${A}group.name`]: 'api' },
        ),
      ],
    ]),
    env: env([web], { certificates }),
    config: { ...config, allowedCertificateAuthorityArns: [CA] },
  },
  {
    name: 'addons',
    group: group('default/shop', [
      [
        shop({
          [`${A}certificate-arn`]: 'arn:aws:acm:us-east-1:123456789012:certificate/given',
          [`${A}wafv2-acl-arn`]: WEB_ACL,
          [`${A}waf-acl-id`]: 'none',
          [`${A}shield-advanced-protection`]: 'true',
        }),
      ],
    ]),
    env: env([web]),
  },
  {
    name: 'addons-conflict',
    group: group('shop', [
      [shop({ [`${A}wafv2-acl-name`]: 'shop-acl', [`${A}shield-advanced-protection`]: 'false' })],
      [
        ingress(
          'default/other',
          { rules: [rule('shop.example.com', path('/o', 'web', 80))] },
          { ...HTTPS, [`${A}wafv2-acl-arn`]: 'none', [`${A}shield-advanced-protection`]: 'false' },
        ),
      ],
    ]),
    env: env([web], { certificates }),
  },
  {
    name: 'addons-switched-off',
    group: group('default/shop', [
      [
        shop({
          [`${A}wafv2-acl-arn`]: WEB_ACL,
          [`${A}waf-acl-id`]: 'abc-123',
          [`${A}shield-advanced-protection`]: 'true',
        }),
      ],
    ]),
    env: env([web], { certificates }),
    config: { ...config, addons: { wafv2: false, waf: false, shield: false } },
  },
];

describe('certificate discovery and add-ons: golden stacks and plans', () => {
  for (const c of cases) {
    it(`GIVEN ${c.name} THEN stack, problems and plan match golden/${c.name}.json`, () => {
      const result = buildStack(c.group, c.env, c.config ?? config);
      const plan = planChanges(result.stack, c.actual ?? null).map(({ op, kind, id, reason }) => ({
        op,
        kind,
        id,
        reason,
      }));
      assertGolden(c.name, { ...result, plan });
    });
  }
});

const run = (name: string) => {
  const c = cases.find((x) => x.name === name);
  if (c === undefined) throw new Error(name);
  return buildStack(c.group, c.env, c.config ?? config);
};

describe('certificate discovery', () => {
  it('GIVEN wildcard and exact SANs THEN a wildcard covers exactly one label', () => {
    assert.ok(certificateCovers('*.example.com', 'a.example.com'));
    assert.ok(certificateCovers('Shop.Example.com', 'shop.example.com'));
    assert.ok(!certificateCovers('*.example.com', 'example.com'));
    assert.ok(!certificateCovers('*.example.com', 'a.b.example.com'));
    assert.ok(!certificateCovers('*.example.com', '.example.com'));
    assert.ok(certificateCovers('*.example.com', '*.example.com'));
  });

  it('GIVEN no certificate list (offline) THEN the listener shows the hosts to discover for, and no problem', () => {
    const { stack, problems } = run('certificates-offline');
    assert.deepEqual(problems, []);
    assert.deepEqual(stack.listeners[0]?.certificateDiscovery, {
      hosts: ['shop.example.com', 'a.example.com'],
      resolved: false,
    });
    assert.deepEqual(
      stack.listeners.map((l) => l.certificates),
      [[]],
    );
  });

  it('GIVEN ISSUED matches THEN all are attached, host order then ARN, expired ones never', () => {
    const { stack, problems } = run('certificates-discovered');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      stack.listeners[0]?.certificates.map((c) => c.certificateArn.split('/')[1]),
      ['b-shop', 'c-wild'],
    );
  });

  it('GIVEN a host no certificate covers THEN that member is frozen with a problem per host, the other applies', () => {
    const { stack, problems } = run('certificates-uncovered-host');
    assert.deepEqual(stack.frozenMembers, ['default/other']);
    assert.deepEqual(
      problems.map((p) => [p.ingress, p.value, p.severity]),
      [['default/other', 'a.b.example.com', 'error']],
    );
    assert.match(problems[0]?.message ?? '', /no ISSUED ACM certificate covers this host/);
    assert.ok(stack.rules.every((r) => r.member === 'default/shop'));
  });

  it('GIVEN a CA filter THEN only certificates of that CA count', () => {
    const { stack, problems } = run('certificates-ca-filter');
    assert.deepEqual(
      stack.listeners[0]?.certificates.map((c) => c.certificateArn.split('/')[1]),
      ['d-private'],
    );
    assert.deepEqual(
      problems.map((p) => [p.ingress, p.value]),
      [['default/public', 'shop.example.com']],
    );
  });

  it('GIVEN more matching certificates than a listener takes THEN the member is frozen', () => {
    const many = Array.from({ length: 27 }, (_, i) =>
      acm(`m${String(i).padStart(2, '0')}`, [`h${i}.example.org`]),
    );
    const hosts = many.map((_, i) => `h${i}.example.org`);
    const g = group('default/big', [
      [ingress('default/big', { rules: hosts.map((h) => rule(h, path('/', 'web', 80))) }, HTTPS)],
    ]);
    const { stack, problems } = buildStack(g, env([web], { certificates: many }), config);
    assert.deepEqual(stack.frozenMembers, ['default/big']);
    assert.match(problems[0]?.message ?? '', /at most 26 \(a default and 25 SNI\)/);
  });
});

describe('add-ons', () => {
  it('GIVEN add-on annotations THEN the stack carries them and a new ALB gets associate and protect steps', () => {
    const { stack } = run('addons');
    assert.deepEqual(stack.addons, {
      wafv2: { kind: 'arn', arn: WEB_ACL },
      wafRegional: null,
      shieldAdvanced: true,
    });
    const plan = planChanges(stack, null);
    assert.deepEqual(
      plan
        .filter((s) =>
          ['WebAclAssociation', 'WafRegionalAssociation', 'ShieldProtection'].includes(s.kind),
        )
        .map((s) => `${s.op} ${s.kind}`),
      ['create WebAclAssociation', 'create ShieldProtection'],
    );
  });

  it('GIVEN the add-ons already as wanted THEN the plan is empty; another ACL or none THEN one step each', () => {
    const { stack } = run('addons');
    const created = planChanges(stack, null);
    assert.ok(created.length > 0);
    const actualBase = (addons: ActualStack['addons']): ActualStack => ({
      id: stack.id,
      loadBalancer:
        stack.loadBalancer === null ? null : { ...stack.loadBalancer, arn: 'arn:lb', dnsName: 'x' },
      listeners: [],
      rules: [],
      targetGroups: [],
      securityGroups: [],
      backendRules: [],
      ...(addons === undefined ? {} : { addons }),
    });
    const only = (a: ActualStack) =>
      planChanges(stack, a)
        .filter((s) =>
          ['WebAclAssociation', 'WafRegionalAssociation', 'ShieldProtection'].includes(s.kind),
        )
        .map((s) => `${s.op} ${s.kind}: ${s.reason}`);
    assert.deepEqual(
      only(actualBase({ wafv2: WEB_ACL, wafRegional: null, shieldProtectionId: 'p-1' })),
      [],
    );
    assert.deepEqual(
      only(
        actualBase({
          wafv2: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/old/1',
          wafRegional: 'w-1',
          shieldProtectionId: 'p-1',
        }),
      ),
      [
        `update WebAclAssociation: web ACL arn:aws:wafv2:us-east-1:123456789012:regional/webacl/old/1 → ${WEB_ACL}`,
        'delete WafRegionalAssociation: WAF Regional web ACL w-1 → none',
      ],
    );
  });

  it('GIVEN conflicting add-ons in a group THEN the later member is frozen naming the first', () => {
    const { stack, problems } = run('addons-conflict');
    assert.deepEqual(stack.frozenMembers, ['default/other']);
    assert.deepEqual(stack.addons, {
      wafv2: { kind: 'name', name: 'shop-acl' },
      shieldAdvanced: false,
    });
    assert.match(problems[0]?.field ?? '', /wafv2-acl-arn$/);
    assert.match(problems[0]?.message ?? '', /conflicts with default\/shop, which sets 'shop-acl'/);
  });

  it('GIVEN the add-on flags off THEN the add-ons are left alone: no field, no step', () => {
    const { stack } = run('addons-switched-off');
    assert.equal(stack.addons, undefined);
  });

  it('GIVEN bad add-on values THEN each is a problem naming the annotation, the value and what is allowed', () => {
    const g = group('default/bad', [
      [
        ingress(
          'default/bad',
          { rules: [rule(undefined, path('/', 'web', 80))] },
          {
            [`${A}wafv2-acl-arn`]: 'my-acl',
            [`${A}waf-acl-id`]: 'bad id!',
            [`${A}shield-advanced-protection`]: 'yes',
          },
        ),
      ],
    ]);
    const { problems, stack } = buildStack(g, env([web]), config);
    assert.deepEqual(stack.frozenMembers, ['default/bad']);
    assert.deepEqual(
      problems.map((p) => [p.field.replace(A, ''), p.value]),
      [
        ['wafv2-acl-arn', 'my-acl'],
        ['waf-acl-id', 'bad id!'],
        ['shield-advanced-protection', 'yes'],
      ],
    );
    assert.match(problems[0]?.message ?? '', /REGIONAL WAFv2 web ACL ARN .* or 'none'/);
  });
});

describe('add-ons and IngressClassParams', () => {
  it('GIVEN params wafv2AclArn and an Ingress wafv2-acl-name THEN the params ARN wins, no conflict', () => {
    const own = { [`${A}wafv2-acl-name`]: 'mine' };
    const params: ClassParams = {
      name: 'p',
      namespaceSelector: undefined,
      groupName: undefined,
      tags: undefined,
      subnetTags: undefined,
      annotations: { [`${A}wafv2-acl-arn`]: WEB_ACL },
      serviceAnnotations: {},
    };
    const laid = overlayAnnotations(own, params);
    const { stack, problems } = buildStack(
      group('default/shop', [[shop(laid)]]),
      env([web], { certificates }),
      config,
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(stack.addons, { wafv2: { kind: 'arn', arn: WEB_ACL } });
  });
});
