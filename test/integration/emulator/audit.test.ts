/**
 * The invariant audit (test/env/audit.ts) can fail: clean on a converged group, and it
 * names each violation a user would find — a second load balancer or target group for
 * one stack resource, a duplicated rule, a leak once the group is gone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { audit } from '../../env/audit.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from '../k8s/helpers.ts';
import { startInProcessWorld, type InProcessWorld } from '../k8s/in-process-world.ts';

describe('the invariant audit', () => {
  const testEnv = useTestEnv();
  let world: InProcessWorld;
  const signal = new AbortController().signal;
  let group = '';

  before(async () => {
    world = await startInProcessWorld(testEnv.env, 'audit', ['web', 'api']);
    group = `${world.ns}/shop`;
    await world.net.createNamespacedIngress({
      namespace: world.ns,
      body: ingress(world.ns, 'shop', { services: ['web', 'api'] }),
    });
    await eventually('cache of shop', () => world.caches.ingresses.get('shop', world.ns));
    await world.reconciler.reconcile(group, signal);
    await eventually('the address of shop', async () => {
      const ing = await world.net.readNamespacedIngress({ name: 'shop', namespace: world.ns });
      return ing.status?.loadBalancer?.ingress?.[0]?.hostname;
    });
  });
  after(async () => {
    await world.stop();
  });

  const options = (): Parameters<typeof audit>[1] => ({
    namespaces: [world.ns],
    listenerPorts: { [group]: [80] },
  });

  async function ourTags(arn: string): Promise<{ Key: string; Value: string }[]> {
    const res = await testEnv.env.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    return (res.TagDescriptions?.[0]?.Tags ?? []).map((t) => ({
      Key: t.Key ?? '',
      Value: t.Value ?? '',
    }));
  }

  it('is clean on a converged group', async () => {
    const report = await audit(testEnv.env, options());
    assert.deepEqual(report.problems, []);
    assert.equal(report.counted.loadBalancers, 1);
    assert.equal(report.counted.targetGroups, 2);
    assert.equal(report.counted.ingresses, 1);
  });

  it('names a second load balancer, a second target group and a duplicated rule', async () => {
    const { elbv2 } = testEnv.env.aws;
    const [lb] = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    assert.ok(lb?.LoadBalancerArn !== undefined);
    const lbTags = await ourTags(lb.LoadBalancerArn);
    // GIVEN copies made behind the controller's back, carrying its tags
    const extraLb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'audit-extra',
        Subnets: testEnv.env.world.publicSubnetIds.slice(0, 2),
        Tags: lbTags,
      }),
    );
    const [listener] =
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
        .Listeners ?? [];
    const rules =
      (await elbv2.send(new DescribeRulesCommand({ ListenerArn: listener?.ListenerArn }))).Rules ??
      [];
    const rule = rules.find((r) => r.IsDefault !== true);
    assert.ok(rule !== undefined);
    const tgArn =
      rule.Actions?.[0]?.TargetGroupArn ??
      rule.Actions?.[0]?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ??
      '';
    const copy = await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listener?.ListenerArn,
        Priority: 999,
        Conditions: rule.Conditions,
        Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );
    const extraTg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'audit-extra',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: testEnv.env.world.vpcId,
        TargetType: 'instance',
        Tags: await ourTags(tgArn),
      }),
    );
    try {
      // THEN the audit names each of them
      const { problems } = await audit(testEnv.env, options());
      assert.ok(
        problems.some((p) => p.includes(`group ${group} has 2 load balancers`)),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => p.includes('has 2 target groups')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => p.includes('2 rules with the same conditions')),
        problems.join('\n'),
      );
      assert.ok(
        problems.some((p) => p.includes('audit-extra of') && p.includes('used by no listener')),
        problems.join('\n'),
      );
    } finally {
      await elbv2.send(new DeleteRuleCommand({ RuleArn: copy.Rules?.[0]?.RuleArn }));
      await elbv2.send(
        new DeleteTargetGroupCommand({ TargetGroupArn: extraTg.TargetGroups?.[0]?.TargetGroupArn }),
      );
      await elbv2.send(
        new DeleteLoadBalancerCommand({
          LoadBalancerArn: extraLb.LoadBalancers?.[0]?.LoadBalancerArn,
        }),
      );
    }
    assert.deepEqual((await audit(testEnv.env, options())).problems, []);
  });

  it('names what a group leaves behind once its Ingress is gone', async () => {
    // GIVEN the Ingress deleted with its finalizer removed by hand: nothing cleaned up
    await world.net.patchNamespacedIngress(
      { name: 'shop', namespace: world.ns, body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await world.net.deleteNamespacedIngress({ name: 'shop', namespace: world.ns });
    const { problems } = await audit(testEnv.env, options());
    assert.ok(
      problems.some((p) => p.includes('load balancer') && p.includes(`of ${group} leaked`)),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('target group') && p.includes('leaked')),
      problems.join('\n'),
    );
  });
});
