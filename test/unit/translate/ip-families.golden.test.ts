/**
 * Golden stacks of IPv6 Services (issue 15, item 9): the Service's primary IP family
 * gives its target group's ipAddressType, and only a dualstack ALB forwards to an ipv6
 * target group.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import { planChanges, renderChanges } from '../../../pkg/plan/index.ts';
import type { Env } from '../../../pkg/translate/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, slice } from './fixtures.ts';
import { assertGolden } from './golden.ts';

const A = 'alb.ingress.kubernetes.io/';

const ports = [{ name: 'http', port: 80, targetPort: 8080, nodePort: 30080 }];

function familyService(key: string, type: string, ipFamilies: string[]): V1Service {
  const [namespace = 'default', name = ''] = key.split('/');
  return { metadata: { namespace, name }, spec: { type, ports, ipFamilies } };
}

function ipv6Slice(serviceName: string, port: number, ips: readonly string[]): V1EndpointSlice {
  return {
    addressType: 'IPv6',
    metadata: { name: `${serviceName}-v6`, labels: { 'kubernetes.io/service-name': serviceName } },
    ports: [{ port, name: 'http' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
  };
}

const v6 = familyService('default/v6', 'ClusterIP', ['IPv6']);
const dual = familyService('default/dual', 'NodePort', ['IPv4', 'IPv6']);
const dualV6First = familyService('default/dual6', 'ClusterIP', ['IPv6', 'IPv4']);
const slices = new Map([
  ['default/v6', [ipv6Slice('v6', 8080, ['2600:1f18::10', '2600:1f18::11'])]],
  [
    'default/dual',
    [slice('dual', 8080, [['10.0.1.5', true]], 'http'), ipv6Slice('dual', 8080, ['2600:1f18::20'])],
  ],
  [
    'default/dual6',
    [
      slice('dual6', 8080, [['10.0.1.6', true]], 'http'),
      ipv6Slice('dual6', 8080, ['2600:1f18::30']),
    ],
  ],
]);
const base: Env = { ...env([v6, dual, dualV6First]), endpointSlices: slices };
const ip = { [`${A}target-type`]: 'ip' };

interface Case {
  readonly name: string;
  readonly group: IngressGroup;
}

const cases: readonly Case[] = [
  {
    name: 'ipv6-service-on-dualstack-alb',
    group: group('default/six', [
      [
        ingress(
          'default/six',
          {
            rules: [
              rule(
                undefined,
                path('/v6', 'v6', 80),
                path('/dual6', 'dual6', 80),
                path('/dual', 'dual', 80),
              ),
            ],
          },
          { ...ip, [`${A}ip-address-type`]: 'dualstack' },
        ),
      ],
    ]),
  },
  {
    name: 'ipv6-service-on-ipv4-alb',
    group: group('shared', [
      [ingress('default/four', { rules: [rule('four.example.com', path('/', 'dual', 80))] }, ip)],
      [ingress('default/six', { rules: [rule('six.example.com', path('/', 'v6', 80))] }, ip)],
    ]),
  },
  {
    name: 'ipv6-service-instance-mode',
    group: group('default/inst', [
      [
        ingress(
          'default/inst',
          { rules: [rule(undefined, path('/', 'v6', 80))] },
          { [`${A}target-type`]: 'instance', [`${A}ip-address-type`]: 'dualstack' },
        ),
      ],
    ]),
  },
];

describe('IPv6 Services: golden stacks and plans', () => {
  for (const c of cases) {
    it(`GIVEN ${c.name} THEN the stack, problems and creation plan match golden/${c.name}.json`, () => {
      const result = buildStack(c.group, base, config);
      assertGolden(c.name, { ...result, plan: renderChanges(planChanges(result.stack, null)) });
    });
  }

  it('GIVEN an IPv6 Service THEN its target group is ipv6 with the IPv6 endpoints; an IPv4-first dual-stack one stays ipv4', () => {
    const { stack, problems } = buildStack(cases[0]!.group, base, config);
    assert.deepEqual(problems, []);
    const byService = new Map(stack.targetGroups.map((tg) => [tg.service, tg]));
    assert.equal(byService.get('default/v6:80')?.ipAddressType, 'ipv6');
    assert.deepEqual(
      byService.get('default/v6:80')?.targets?.map((t) => t.id),
      ['2600:1f18::10', '2600:1f18::11'],
    );
    assert.equal(byService.get('default/dual6:80')?.ipAddressType, 'ipv6');
    assert.equal(byService.get('default/dual:80')?.ipAddressType, 'ipv4');
    assert.deepEqual(
      byService.get('default/dual:80')?.targets?.map((t) => t.id),
      ['10.0.1.5'],
    );
  });

  it('GIVEN an IPv6 Service on an ipv4 ALB THEN its member is frozen with an error naming the Service; the other member builds', () => {
    const { stack, problems } = buildStack(cases[1]!.group, base, config);
    assert.deepEqual(stack.frozenMembers, ['default/six']);
    const p = problems.find((x) => x.ingress === 'default/six');
    assert.equal(p?.field, `${A}ip-address-type`);
    assert.match(p.message, /Service default\/v6 is IPv6/);
    assert.deepEqual(
      stack.targetGroups.map((tg) => [tg.service, tg.ipAddressType]),
      [['default/dual:80', 'ipv4']],
    );
  });
});
