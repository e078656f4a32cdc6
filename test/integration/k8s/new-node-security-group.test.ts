/**
 * A node group migration, against the API server and moto: a new Node whose instance is
 * in a security group no backend rule admits yet gets that rule in the reconcile that
 * registers it — authorized before the target is registered — not at the next
 * backend-access resync (up to `--sync-period` later).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import {
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  SetSecurityGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, NetworkingV1Api, V1Node } from '@kubernetes/client-node';

import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { findBackendSecurityGroup } from '../../../pkg/deploy/index.ts';
import type { Reconciler } from '../../../controller/reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';

import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

describe('a new node in a new security group', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  const added: string[] = [];
  const signal = new AbortController().signal;

  before(async () => {
    harness = await startInProcessWorld(testEnv.env, 'newsg', ['web']);
    ({ ns, core, net, aws, caches, reconciler } = harness);
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'shop', { services: ['web'], path: '/shop' }),
    });
    await eventually('cache of shop', () => caches.ingresses.get('shop', ns));
    await reconciler.reconcile(`${ns}/shop`, signal);
    assert.equal((await reconciler.reconcile(`${ns}/shop`, signal)).planned, 0);
  });
  after(async () => {
    for (const name of added) await core.deleteNode({ name });
    await harness.stop();
  });

  /**
   * An EC2 instance in new security groups (one cluster-tagged, or `untagged` of them
   * without the tag), and its Node, Ready.
   */
  async function addNode(
    label: string,
    untagged = 0,
  ): Promise<{ instanceId: string; groupId: string; groupIds: string[] }> {
    const { world, clusterName } = testEnv.env;
    const groupIds: string[] = [];
    for (let i = 0; i < Math.max(1, untagged); i += 1) {
      const sg = await aws.ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: world.vpcId,
          GroupName: `${clusterName}-nodes-${label}-${String(i)}`,
          Description: 'a new node group',
          ...(untagged > 0
            ? {}
            : {
                TagSpecifications: [
                  {
                    ResourceType: 'security-group',
                    Tags: [{ Key: `kubernetes.io/cluster/${clusterName}`, Value: 'owned' }],
                  },
                ],
              }),
        }),
      );
      groupIds.push(sg.GroupId ?? '');
    }
    const groupId = groupIds[0] ?? '';
    const run = await aws.ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 'm5.large',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: world.privateSubnetIds[0],
        SecurityGroupIds: groupIds,
      }),
    );
    const instanceId = run.Instances?.[0]?.InstanceId ?? '';
    const ip = run.Instances?.[0]?.PrivateIpAddress ?? '';
    const name = `ip-${ip.replaceAll('.', '-')}.ec2.internal`;
    const metadata = { name, labels: { 'topology.kubernetes.io/zone': 'us-east-1a' } };
    const spec = { providerID: `aws:///us-east-1a/${instanceId}` };
    await core.createNode({ body: { metadata, spec } });
    added.push(name);
    const status: V1Node = {
      metadata,
      spec,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: new Date(),
            lastTransitionTime: new Date(),
          },
        ],
        addresses: [{ type: 'InternalIP', address: ip }],
      },
    };
    await core.replaceNodeStatus({ name, body: status });
    await eventually(`node ${name} ready in the cache`, () =>
      caches
        .nodeList()
        .some(
          (n) =>
            n.metadata?.name === name &&
            n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        )
        ? true
        : undefined,
    );
    return { instanceId, groupId, groupIds };
  }

  /** Our backend rules on `groupId`, as `source from-to`. */
  async function rulesOn(groupId: string): Promise<string[]> {
    const found = await aws.ec2.send(
      new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }),
    );
    return (found.SecurityGroupRules ?? [])
      .filter((r) => r.Tags?.some((t) => t.Key === 'albatross.dev/cluster') === true)
      .map(
        (r) => `${r.ReferencedGroupInfo?.GroupId ?? ''} ${String(r.FromPort)}-${String(r.ToPort)}`,
      );
  }

  async function registered(): Promise<string[]> {
    const tg = (await aws.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.[0];
    const health = await aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg?.TargetGroupArn }),
    );
    return (health.TargetHealthDescriptions ?? []).map((d) => d.Target?.Id ?? '');
  }

  for (const [label, key] of [
    ['a', (ns: string) => `targets:${ns}/shop`],
    ['b', (ns: string) => `${ns}/shop`],
  ] as const) {
    it(`the reconcile that registers it (${label === 'a' ? 'targets only' : 'full'}) opens its group first`, async () => {
      // GIVEN a converged group, WHEN a node joins in a new cluster-tagged security group
      const { instanceId, groupId } = await addNode(label);
      assert.deepEqual(await rulesOn(groupId), []);
      // AND the one reconcile its Node event triggers runs
      await reconciler.reconcile(key(ns), signal);
      // THEN the new group admits the shared backend group on the NodePort range
      const backend = await findBackendSecurityGroup({
        clusterName: testEnv.env.clusterName,
        vpcId: testEnv.env.world.vpcId,
        clients: aws,
      });
      const rules = await rulesOn(groupId);
      assert.equal(rules.length, 1, `rules: ${rules.join()}`);
      assert.match(rules[0] ?? '', new RegExp(`^${backend ?? 'none'} `));
      // AND the instance is registered
      assert.ok((await registered()).includes(instanceId));
    });
  }

  it('a shared backend group deleted by hand is created again, not remembered for ever', async () => {
    // GIVEN the converged group, WHEN its shared backend group is deleted by hand, as
    // AWS lets a person do it: every rule referencing it revoked, every load balancer
    // detached from it (DeleteSecurityGroup is DependencyViolation otherwise), while the
    // controller remembers its id
    const ctx = {
      clusterName: testEnv.env.clusterName,
      vpcId: testEnv.env.world.vpcId,
      clients: aws,
    };
    const old = await findBackendSecurityGroup(ctx);
    assert.ok(old !== null);
    const nodeGroup = testEnv.env.world.nodeSecurityGroupId;
    const all = await aws.ec2.send(new DescribeSecurityGroupRulesCommand({}));
    const referencing = (all.SecurityGroupRules ?? []).filter(
      (r) => r.ReferencedGroupInfo?.GroupId === old,
    );
    for (const r of referencing) {
      await aws.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: r.GroupId,
          SecurityGroupRuleIds: [r.SecurityGroupRuleId ?? ''],
        }),
      );
    }
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    for (const lb of lbs.filter((l) => (l.SecurityGroups ?? []).includes(old))) {
      await aws.elbv2.send(
        new SetSecurityGroupsCommand({
          LoadBalancerArn: lb.LoadBalancerArn,
          SecurityGroups: (lb.SecurityGroups ?? []).filter((g) => g !== old),
        }),
      );
    }
    await eventually('the backend group deleted by hand', async () => {
      await aws.ec2.send(new DeleteSecurityGroupCommand({ GroupId: old }));
      return true;
    });
    // AND a new Ingress (a new group, so its needs are new) is reconciled
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'more', { services: ['web'], path: '/more' }),
    });
    await eventually('cache of more', () => caches.ingresses.get('more', ns));
    await reconciler.reconcile(`${ns}/more`, signal);
    // THEN AWS's InvalidGroup.NotFound made it forget the id: a new backend group exists
    // and the node group admits it
    const found = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'tag:albatross.dev/resource', Values: ['shared-backend'] }],
      }),
    );
    const now = (found.SecurityGroups ?? []).map((g) => g.GroupId ?? '');
    assert.equal(now.length, 1);
    assert.notEqual(now[0], old);
    assert.ok((await rulesOn(nodeGroup)).some((r) => r.startsWith(`${now[0] ?? ''} `)));
  });

  it('a target whose security groups carry no cluster tag is named in a Warning Event', async () => {
    // GIVEN the converged group, WHEN a node joins in two security groups, neither tagged
    // kubernetes.io/cluster/<cluster>, and the reconcile its Node event triggers runs
    const { instanceId, groupIds } = await addNode('c', 2);
    await reconciler.reconcile(`targets:${ns}/shop`, signal);
    // THEN no rule is added for them, and shop's Ingress says which instance, which
    // groups, and what tag is needed
    for (const g of groupIds) assert.deepEqual(await rulesOn(g), []);
    const events = await core.listNamespacedEvent({ namespace: ns });
    const warning = events.items.find(
      (e) =>
        e.type === 'Warning' &&
        e.involvedObject.name === 'shop' &&
        (e.message ?? '').includes(instanceId),
    );
    assert.ok(warning, 'a Warning Event names the instance');
    for (const g of groupIds) assert.ok(warning.message?.includes(g), warning.message);
    assert.ok(warning.message?.includes(`kubernetes.io/cluster/${testEnv.env.clusterName}`));
  });
});
