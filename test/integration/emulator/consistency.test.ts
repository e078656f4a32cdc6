/**
 * The emulator's eventual consistency (test/env/moto_consistency.py): what AWS refuses or
 * hides for a while after a change, the emulator refuses or hides too, so no live test
 * runs on a kinder AWS. Each test sets what it needs; a reset restores the defaults.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';

import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteLoadBalancerCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';

import { setConsistency } from '../../env/moto.ts';
import { useTestEnv } from '../../env/testenv.ts';

/** The AWS error code a call failed with (the SDK's name, without `Exception`). */
async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    return err instanceof Error ? err.name.replace(/Exception$/, '') : String(err);
  }
  return 'succeeded';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('emulator: eventual consistency', () => {
  const testEnv = useTestEnv();
  const aws = () => testEnv.env.aws;
  const endpoint = () => testEnv.env.state.awsEndpoint;

  beforeEach(async () => {
    await testEnv.env.resetAws();
  });

  async function securityGroup(name: string): Promise<string> {
    const made = await aws().ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: name,
        VpcId: testEnv.env.world.vpcId,
      }),
    );
    return made.GroupId ?? '';
  }

  async function loadBalancer(name: string, groupId: string): Promise<string> {
    const made = await aws().elbv2.send(
      new CreateLoadBalancerCommand({
        Name: name,
        Subnets: [...testEnv.env.world.publicSubnetIds],
        SecurityGroups: [groupId],
      }),
    );
    return made.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  }

  async function targetGroup(name: string): Promise<string> {
    const made = await aws().elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        VpcId: testEnv.env.world.vpcId,
        Protocol: 'HTTP',
        Port: 80,
      }),
    );
    return made.TargetGroups?.[0]?.TargetGroupArn ?? '';
  }

  const deleteGroup = (groupId: string) =>
    aws().ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));

  it('refuses to delete a security group a load balancer uses (DependencyViolation)', async () => {
    // GIVEN a security group attached to a load balancer
    const sg = await securityGroup('in-use');
    await loadBalancer('uses-it', sg);
    // WHEN it is deleted THEN EC2 refuses, and the group is still there
    assert.equal(await codeOf(deleteGroup(sg)), 'DependencyViolation');
    const found = await aws().ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }));
    assert.equal(found.SecurityGroups?.length, 1);
  });

  it('keeps refusing for the linger window after the load balancer is deleted, then lets go', async () => {
    // GIVEN a linger window of 1.5 s, and a load balancer using the group, deleted
    await setConsistency(endpoint(), { securityGroupLingerSeconds: 1.5 });
    const sg = await securityGroup('lingers');
    const lb = await loadBalancer('goes-away', sg);
    await aws().elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb }));
    // WHEN the group is deleted at once THEN DependencyViolation (its interfaces linger)
    assert.equal(await codeOf(deleteGroup(sg)), 'DependencyViolation');
    // AND once the window has passed, the delete succeeds
    await sleep(1600);
    assert.equal(await codeOf(deleteGroup(sg)), 'succeeded');
  });

  it('lingers 1 s by default, and a reset restores the default', async () => {
    // GIVEN a test that set a long window, then a reset
    await setConsistency(endpoint(), { securityGroupLingerSeconds: 600 });
    await testEnv.env.resetAws();
    const sg = await securityGroup('default-window');
    const lb = await loadBalancer('default-lb', sg);
    await aws().elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb }));
    // THEN the delete is refused at once, and succeeds after the default 1 s
    assert.equal(await codeOf(deleteGroup(sg)), 'DependencyViolation');
    await sleep(1100);
    assert.equal(await codeOf(deleteGroup(sg)), 'succeeded');
  });

  it("refuses to delete a security group another group's rule references", async () => {
    // GIVEN group `source`, referenced by a rule of group `target`
    const source = await securityGroup('source');
    const target = await securityGroup('target');
    const permission = {
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      UserIdGroupPairs: [{ GroupId: source }],
    };
    await aws().ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: target, IpPermissions: [permission] }),
    );
    // WHEN `source` is deleted THEN DependencyViolation
    assert.equal(await codeOf(deleteGroup(source)), 'DependencyViolation');
    // AND once the rule is revoked, it goes
    await aws().ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: target, IpPermissions: [permission] }),
    );
    assert.equal(await codeOf(deleteGroup(source)), 'succeeded');
  });

  it('refuses to delete a target group a listener or a rule forwards to (ResourceInUse)', async () => {
    // GIVEN target group `a` behind a listener's default action, `b` behind a rule
    const sg = await securityGroup('lb');
    const lb = await loadBalancer('tg-user', sg);
    const a = await targetGroup('default-tg');
    const b = await targetGroup('rule-tg');
    const listener = await aws().elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: a }],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn ?? '';
    const rule = await aws().elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/b'] } }],
        Actions: [
          { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: b, Weight: 1 }] } },
        ],
      }),
    );
    const deleteTg = (arn: string) =>
      aws().elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    // WHEN either is deleted THEN ResourceInUse
    assert.equal(await codeOf(deleteTg(a)), 'ResourceInUse');
    assert.equal(await codeOf(deleteTg(b)), 'ResourceInUse');
    // AND once nothing forwards to them, both go
    await aws().elbv2.send(new DeleteRuleCommand({ RuleArn: rule.Rules?.[0]?.RuleArn }));
    assert.equal(await codeOf(deleteTg(b)), 'succeeded');
    await aws().elbv2.send(new DeleteListenerCommand({ ListenerArn: listenerArn }));
    assert.equal(await codeOf(deleteTg(a)), 'succeeded');
  });

  it('with a read-after-write lag, hides what was just created from Describe*', async () => {
    // GIVEN a read-after-write lag of 1.5 s (default off)
    await setConsistency(endpoint(), { readAfterWriteSeconds: 1.5 });
    const sg = await securityGroup('fresh');
    const lb = await loadBalancer('fresh-lb', sg);
    const tg = await targetGroup('fresh-tg');
    // WHEN they are described at once THEN a listing leaves them out, by id they are NotFound
    const listed = await aws().elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(listed.LoadBalancers?.length ?? 0, 0);
    const tgs = await aws().elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.equal(tgs.TargetGroups?.length ?? 0, 0);
    assert.equal(
      await codeOf(aws().elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb] }))),
      'LoadBalancerNotFound',
    );
    assert.equal(
      await codeOf(aws().elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tg] }))),
      'TargetGroupNotFound',
    );
    assert.equal(
      await codeOf(aws().ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }))),
      'InvalidGroup.NotFound',
    );
    // AND after the lag they are there
    await sleep(1600);
    const later = await aws().elbv2.send(
      new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb] }),
    );
    assert.equal(later.LoadBalancers?.length, 1);
    const group = await aws().ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }));
    assert.equal(group.SecurityGroups?.length, 1);
  });

  it('has no read-after-write lag by default', async () => {
    const sg = await securityGroup('visible');
    const group = await aws().ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [sg] }));
    assert.equal(group.SecurityGroups?.length, 1);
  });
});
