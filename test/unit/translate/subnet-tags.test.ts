/**
 * IngressClassParams `subnets.tags` with the VPC's subnets known (as the controller has
 * them): the tagged subnets are ranked like discovery, one per AZ, and replace any
 * `subnets` annotation; too few AZs, or two classes disagreeing in one group, are
 * problems naming the params field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseClassParams } from '../../../pkg/annotations/index.ts';
import type { GroupMember } from '../../../pkg/ingress/group.ts';
import type { Subnet } from '../../../pkg/translate/index.ts';
import { buildStack } from '../../../pkg/translate/index.ts';
import { config, env, group, ingress, path, rule, service } from './fixtures.ts';

const ours = 'kubernetes.io/cluster/test';

function subnet(id: string, az: string, tags: Record<string, string>, free = 250): Subnet {
  return {
    subnetId: id,
    availabilityZone: az,
    vpcId: 'vpc-1',
    availableIpAddressCount: free,
    tags,
  };
}

const VPC: Subnet[] = [
  subnet('subnet-a2', 'eu-west-1a', { tier: 'edge' }),
  subnet('subnet-a1', 'eu-west-1a', { tier: 'public' }),
  // Preferred in its AZ over the smaller id: tagged for our cluster
  subnet('subnet-b2', 'eu-west-1b', { tier: 'edge', [ours]: 'shared' }),
  subnet('subnet-b1', 'eu-west-1b', { tier: 'public' }),
  // Another cluster's, and one without free IPs: never chosen
  subnet('subnet-c1', 'eu-west-1c', { tier: 'public', 'kubernetes.io/cluster/other': 'owned' }),
  subnet('subnet-d1', 'eu-west-1d', { tier: 'public' }, 3),
  // Not tagged tier at all (a role tag does not matter here)
  subnet('subnet-e1', 'eu-west-1e', { 'kubernetes.io/role/elb': '1' }),
];

function member(name: string, spec: Record<string, unknown>, annotations = {}): GroupMember {
  const parsed = parseClassParams(name, spec);
  assert.deepEqual(parsed.errors, []);
  const ing = ingress(
    `default/${name}`,
    { rules: [rule(`${name}.example.com`, path('/', 'web', 80))] },
    annotations,
  );
  return {
    key: `default/${name}`,
    ingress: ing,
    order: 0,
    params: { params: parsed.value, rejected: false },
  };
}

function build(members: GroupMember[], subnets: readonly Subnet[] = VPC) {
  const g = { ...group('edge', []), members };
  return buildStack(
    g,
    env([service('default/web', [{ port: 80, nodePort: 30080 }])], { subnets }),
    config,
  );
}

describe('IngressClassParams subnets.tags', () => {
  it('GIVEN tags tier=public|edge THEN one subnet per AZ, cluster-tagged first, then smallest id; others excluded', () => {
    const { stack, problems } = build([
      member(
        'a',
        { subnets: { tags: { tier: ['public', 'edge'] } } },
        {
          // the params override the Ingress's own list
          'alb.ingress.kubernetes.io/subnets': 'subnet-e1,subnet-d1',
        },
      ),
    ]);
    assert.deepEqual(problems, []);
    assert.deepEqual(stack.loadBalancer?.subnets, {
      kind: 'resolved',
      subnetIds: ['subnet-a1', 'subnet-b2'],
      discovered: true,
    });
  });

  it('GIVEN every key must match THEN a subnet with only one of two keys is not chosen', () => {
    const { stack } = build(
      [member('a', { subnets: { tags: { tier: ['public'], zone: ['x'] } } })],
      [
        ...VPC,
        subnet('subnet-x1', 'eu-west-1a', { tier: 'public', zone: 'x' }),
        subnet('subnet-x2', 'eu-west-1b', { tier: 'public', zone: 'x' }),
        subnet('subnet-x3', 'eu-west-1c', { tier: 'edge', zone: 'x' }),
      ],
    );
    assert.deepEqual(stack.loadBalancer?.subnets, {
      kind: 'resolved',
      subnetIds: ['subnet-x1', 'subnet-x2'],
      discovered: true,
    });
  });

  it('GIVEN tags matching one AZ only THEN an error problem on spec.subnets.tags and the member is frozen', () => {
    const { stack, problems } = build(
      [member('a', { subnets: { tags: { tier: ['edge'] } } })],
      [
        subnet('subnet-a2', 'eu-west-1a', { tier: 'edge' }),
        subnet('subnet-a3', 'eu-west-1a', { tier: 'edge' }),
      ],
    );
    const [p] = problems;
    assert.equal(problems.length, 1);
    assert.equal(p?.ingress, 'default/a');
    assert.equal(p.severity, 'error');
    assert.equal(p.field, 'IngressClassParams spec.subnets.tags');
    assert.equal(p.value, 'tier=edge');
    assert.match(p.message, /cover 1 availability zone\(s\); an ALB needs at least 2/);
    assert.deepEqual(stack.frozenMembers, ['default/a']);
  });

  it('GIVEN two classes in one group with different subnets.tags THEN the second member is frozen with a problem naming both', () => {
    const { stack, problems } = build([
      member('a', { subnets: { tags: { tier: ['public'] } } }),
      member('b', { subnets: { tags: { tier: ['edge'] } } }),
    ]);
    assert.deepEqual(stack.frozenMembers, ['default/b']);
    const mine = problems.filter((p) => p.ingress === 'default/b');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.field, 'IngressClassParams b: spec.subnets.tags');
    assert.equal(mine[0].value, 'tier=edge');
    assert.match(mine[0].message, /default\/a \(IngressClassParams a\).*tier=public/);
    // The kept selection is the first member's
    assert.deepEqual(stack.loadBalancer?.subnets, {
      kind: 'resolved',
      subnetIds: ['subnet-a1', 'subnet-b1'],
      discovered: true,
    });
  });
});
