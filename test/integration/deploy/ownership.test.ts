/**
 * Ownership: only what carries our cluster's tags is ever changed or deleted. An emptied
 * group leaves nothing of ours behind but the cluster's shared backend group; resources
 * with similar names, without our tags or with another cluster's, survive everything.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  backendSecurityGroupName,
  discoverStack,
  findBackendSecurityGroup,
  listStacks,
} from '../../../pkg/deploy/index.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';
import type { Stack } from '../../../pkg/model/index.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { emptyStack, forward, shopStack, targetGroup } from './builders.ts';
import type { StackWorld } from './builders.ts';
import { deployContext, reconcile, useDeployWorld } from './harness.ts';

const tag = (Key: string, Value: string) => ({ Key, Value });

describe('deploy: ownership', () => {
  const world = useDeployWorld();
  let env: TestEnv;
  let ctx: DeployContext;
  let w: StackWorld;
  beforeEach(() => {
    ({ env, ctx, w } = world);
  });

  /** Foreign look-alikes: untagged, or tagged by another cluster with our stack and ids. */
  async function foreignResources(desired: Stack) {
    const { elbv2, ec2 } = ctx.clients;
    const lbName = desired.loadBalancer?.name ?? '';
    const tgName = desired.targetGroups[0]?.name ?? '';
    const otherCluster = [
      tag('albatross.dev/cluster', 'other-cluster'),
      tag('albatross.dev/stack', desired.id),
    ];
    const untaggedLb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `${lbName.slice(0, 28)}-fx`,
        Subnets: [...env.world.privateSubnetIds],
        Scheme: 'internal',
      }),
    );
    const otherLb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `${lbName.slice(0, 28)}-oc`,
        Subnets: [...env.world.privateSubnetIds],
        Scheme: 'internal',
        Tags: [...otherCluster, tag('albatross.dev/resource', 'LoadBalancer')],
      }),
    );
    const untaggedTg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${tgName.slice(0, 28)}-fx`,
        Protocol: 'HTTP',
        Port: 30080,
        VpcId: env.world.vpcId,
      }),
    );
    const otherTg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: `${tgName.slice(0, 28)}-oc`,
        Protocol: 'HTTP',
        Port: 30080,
        VpcId: env.world.vpcId,
        Tags: [...otherCluster, tag('albatross.dev/resource', desired.targetGroups[0]?.id ?? '')],
      }),
    );
    const otherSg = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: env.world.vpcId,
        GroupName: `${desired.securityGroups[0]?.name ?? ''}-oc`,
        Description: 'another cluster',
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [...otherCluster, tag('albatross.dev/resource', 'sg/frontend')],
          },
        ],
      }),
    );
    // Another cluster's backend rule on our node group, on one of our NodePorts.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: env.world.nodeSecurityGroupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 30080,
            ToPort: 30080,
            UserIdGroupPairs: [{ GroupId: otherSg.GroupId }],
          },
        ],
        TagSpecifications: [
          {
            ResourceType: 'security-group-rule',
            Tags: [
              ...otherCluster,
              tag('albatross.dev/resource', desired.backendRules[0]?.id ?? ''),
            ],
          },
        ],
      }),
    );
    return {
      loadBalancers: [untaggedLb, otherLb].map((r) => r.LoadBalancers?.[0]?.LoadBalancerArn ?? ''),
      targetGroups: [untaggedTg, otherTg].map((r) => r.TargetGroups?.[0]?.TargetGroupArn ?? ''),
      securityGroup: otherSg.GroupId ?? '',
    };
  }

  async function assertForeignSurvive(foreign: Awaited<ReturnType<typeof foreignResources>>) {
    const lbs = await ctx.clients.elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: foreign.loadBalancers }),
    );
    assert.equal(lbs.LoadBalancers?.length, 2, 'foreign load balancers survive');
    const tgs = await ctx.clients.elbv2.send(
      new DescribeTargetGroupsCommand({ TargetGroupArns: foreign.targetGroups }),
    );
    assert.equal(tgs.TargetGroups?.length, 2, 'foreign target groups survive');
    const sgs = await ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [foreign.securityGroup] }),
    );
    assert.equal(sgs.SecurityGroups?.length, 1, "another cluster's security group survives");
    const rules = await ctx.clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [env.world.nodeSecurityGroupId] }],
      }),
    );
    assert.ok(
      (rules.SecurityGroupRules ?? []).some(
        (r) => r.ReferencedGroupInfo?.GroupId === foreign.securityGroup,
      ),
      "another cluster's backend rule survives",
    );
  }

  it('GIVEN foreign look-alikes WHEN a stack is created, changed and emptied THEN they survive and nothing of ours remains but the shared backend group', async () => {
    const desired = shopStack(w);
    const foreign = await foreignResources(desired);

    const created = await reconcile(ctx, desired);
    assert.equal(created.actual, null, "another cluster's resources are not discovered as ours");
    const apiIp = targetGroup(w, 'api', { targetType: 'ip' });
    const changed: Stack = {
      ...desired,
      targetGroups: [apiIp, ...desired.targetGroups.slice(1)],
      rules: desired.rules.map((r) =>
        r.id.endsWith('/api') ? { ...r, actions: [forward(apiIp.id)] } : r,
      ),
      backendRules: desired.backendRules.filter((b) => b.targetGroupId !== apiIp.id),
    };
    await reconcile(ctx, changed);
    await assertForeignSurvive(foreign);

    const emptied = await reconcile(ctx, emptyStack(w));
    assert.deepEqual(
      [...new Set(emptied.plan.map((s) => `${s.op} ${s.kind}`))],
      [
        'delete ListenerRule',
        'delete Listener',
        'delete TargetGroup',
        'delete LoadBalancer',
        'delete SecurityGroup',
      ],
    );
    assert.equal(await discoverStack(ctx, desired.id), null, 'nothing of ours remains');
    assert.equal(emptied.result.dnsName, null);
    const again = await reconcile(ctx, emptyStack(w));
    assert.deepEqual(again.plan, []);
    assert.equal(again.mutating, 0);

    // Nothing tagged as ours in the VPC but the shared backend group.
    const ours = await ctx.clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'tag:albatross.dev/cluster', Values: [env.clusterName] }],
      }),
    );
    assert.deepEqual(
      ours.SecurityGroups?.map((g) => g.GroupName),
      [backendSecurityGroupName(env.clusterName)],
    );
    const backend = await findBackendSecurityGroup(ctx);
    const nodeRules = await ctx.clients.ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [env.world.nodeSecurityGroupId] }],
      }),
    );
    assert.equal(
      (nodeRules.SecurityGroupRules ?? []).filter((r) => r.ReferencedGroupInfo?.GroupId === backend)
        .length,
      0,
      'our backend rules are revoked',
    );
    await assertForeignSurvive(foreign);
  });

  it('GIVEN two stacks of this cluster and one of another WHEN stacks are listed THEN only ours are, until one is emptied', async () => {
    const shop = { ...w, stackId: 'shop/web' };
    const blog = { ...w, stackId: 'blog' };
    await reconcile(ctx, shopStack(shop, { backendRules: [] }));
    await reconcile(
      ctx,
      shopStack(blog, {
        listeners: shopStack(blog).listeners.slice(0, 1),
        rules: shopStack(blog).rules.slice(0, 2),
        backendRules: [],
      }),
    );
    const other = { ...deployContext(env), clusterName: 'other-cluster' };
    world.track(other);
    await reconcile(
      other,
      shopStack({ ...w, cluster: 'other-cluster', stackId: 'elsewhere' }, { backendRules: [] }),
    );

    ctx.clients.calls.reset();
    assert.deepEqual(await listStacks(ctx), ['blog', 'shop/web']);
    assert.equal(ctx.clients.calls.total(), 2, 'one tagging call, one security group describe');
    assert.deepEqual(await listStacks(other), ['elsewhere']);

    await reconcile(ctx, emptyStack(blog));
    assert.deepEqual(await listStacks(ctx), ['shop/web']);
    // A stack whose only remnant is its security group (AWS still held it when the
    // controller restarted) is listed too, so garbage collection finishes it.
    await ctx.clients.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'held-remnant',
        Description: 'held-remnant',
        VpcId: env.world.vpcId,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: 'albatross.dev/cluster', Value: env.clusterName },
              { Key: 'albatross.dev/stack', Value: 'held/remnant' },
              { Key: 'albatross.dev/resource', Value: 'ManagedLBSecurityGroup' },
            ],
          },
        ],
      }),
    );
    assert.deepEqual(await listStacks(ctx), ['held/remnant', 'shop/web']);
    assert.ok(await discoverStack(other, 'elsewhere'), "the other cluster's stack is untouched");
  });
});
