import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backendRuleId,
  listenerId,
  loadBalancerName,
  resourceTags,
  ruleId,
  securityGroupName,
  targetGroupId,
  targetGroupName,
} from '../../../pkg/naming/index.ts';
import type { TargetGroupIdentity } from '../../../pkg/naming/index.ts';

// Names and ids are external contract: a change here replaces resources in every cluster.
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

const tg: TargetGroupIdentity = {
  cluster: 'prod',
  groupId: 'default/web',
  member: 'default/web',
  service: 'default/api',
  port: '80',
  targetType: 'instance',
  protocol: 'HTTP',
  protocolVersion: 'HTTP1',
};

describe('load balancer names', () => {
  const table: readonly (readonly [string, Parameters<typeof loadBalancerName>[0], string])[] = [
    [
      'an implicit group',
      { cluster: 'prod', groupId: 'default/web', scheme: 'internal' },
      'k8s-default-web-e5a1ad4e8c',
    ],
    [
      'another scheme (replacement)',
      { cluster: 'prod', groupId: 'default/web', scheme: 'internet-facing' },
      'k8s-default-web-ed168c91c8',
    ],
    [
      'another cluster',
      { cluster: 'staging', groupId: 'default/web', scheme: 'internal' },
      'k8s-default-web-83d30730be',
    ],
    [
      'a long explicit group',
      { cluster: 'prod', groupId: 'shared-public-gateway.example', scheme: 'internal' },
      'k8s-shared-public-gat-677f9cbacc',
    ],
    [
      'a group named internal',
      { cluster: 'prod', groupId: 'internal', scheme: 'internal' },
      'k8s-internal-62fc0543ad',
    ],
  ];
  for (const [what, id, expected] of table) {
    it(`GIVEN ${what} THEN the name is ${expected}`, () => {
      const name = loadBalancerName(id);
      assert.equal(name, expected);
      assert.match(name, NAME);
      assert.ok(!name.startsWith('internal-'));
    });
  }
});

describe('target group names', () => {
  it('GIVEN a Service port THEN the name is k8s-<namespace>-<service>-<hash>', () => {
    assert.equal(targetGroupName(tg), 'k8s-default-api-1d7ce49354');
  });
  it('GIVEN another target type THEN a fresh name (the target group is replaced)', () => {
    assert.equal(targetGroupName({ ...tg, targetType: 'ip' }), 'k8s-default-api-88ca7ec5f1');
  });
  it('GIVEN ipAddressType ipv4, said or not THEN the name is the one made before IPv6 was known', () => {
    assert.equal(targetGroupName({ ...tg, ipAddressType: 'ipv4' }), 'k8s-default-api-1d7ce49354');
  });
  it('GIVEN ipAddressType ipv6 THEN a fresh name (set only at creation: a change replaces)', () => {
    assert.equal(targetGroupName({ ...tg, ipAddressType: 'ipv6' }), 'k8s-default-api-c4308ab0ce');
  });
  it('GIVEN long names THEN the readable parts are cut and the name stays ≤ 32', () => {
    const name = targetGroupName({
      ...tg,
      service: 'very-long-namespace-name/very-long-service-name',
    });
    assert.equal(name, 'k8s-very-lon-very-lon-8489d05381');
    assert.ok(name.length <= 32);
  });
  it('GIVEN any immutable field changes THEN the name changes', () => {
    const base = targetGroupName(tg);
    for (const change of [
      { cluster: 'x' },
      { groupId: 'x' },
      { member: 'default/x' },
      { port: '81' },
      { protocol: 'HTTPS' as const },
      { protocolVersion: 'GRPC' as const },
    ]) {
      assert.notEqual(targetGroupName({ ...tg, ...change }), base, JSON.stringify(change));
    }
  });
});

describe('stack ids', () => {
  it('GIVEN resources THEN their ids are the documented strings', () => {
    assert.equal(listenerId(443), 'listener/443');
    assert.equal(targetGroupId('default/web', 'api', 80), 'tg/default/web/api:80');
    assert.equal(targetGroupId('default/web', 'api', 'http'), 'tg/default/web/api:http');
    assert.equal(
      ruleId(443, 'default/web', {
        host: 'a.example.com',
        pathType: 'Prefix',
        path: '/api',
        occurrence: 0,
      }),
      'rule/443/default/web/6072582c3e',
    );
    assert.equal(
      backendRuleId('tg/default/web/api:80', 30080, 30080, null),
      'backend/tg/default/web/api:80/30080-30080',
    );
    assert.equal(securityGroupName('prod', 'default/web'), 'k8s-default-web-13e8cd6562');
  });
  it('GIVEN a rule id THEN it uses only characters AWS allows in tag values', () => {
    const id = ruleId(80, 'ns/name', {
      host: '*.example.com',
      pathType: 'Exact',
      path: '/a?b',
      occurrence: 2,
    });
    assert.match(id, /^[A-Za-z0-9 +\-=._:/@]+$/);
  });
});

describe('ownership tags', () => {
  it('GIVEN user tags that try to override ownership THEN ownership wins and layers merge by precedence', () => {
    const tags = resourceTags(
      {
        cluster: 'prod',
        stack: 'default/web',
        resource: 'tg/default/web/api:80',
        ingress: 'default/web',
      },
      { team: 'platform', env: 'dev', 'albatross.dev/cluster': 'evil' },
      { env: 'prod', 'albatross.dev/ingress': 'other/x' },
    );
    assert.deepEqual(tags, {
      'albatross.dev/cluster': 'prod',
      'albatross.dev/ingress': 'default/web',
      'albatross.dev/resource': 'tg/default/web/api:80',
      'albatross.dev/stack': 'default/web',
      env: 'prod',
      team: 'platform',
    });
  });
  it('GIVEN a group-owned resource THEN it carries no ingress tag', () => {
    const tags = resourceTags({ cluster: 'c', stack: 's', resource: 'LoadBalancer' });
    assert.deepEqual(Object.keys(tags), [
      'albatross.dev/cluster',
      'albatross.dev/resource',
      'albatross.dev/stack',
    ]);
  });
});
