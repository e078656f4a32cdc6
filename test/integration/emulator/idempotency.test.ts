/**
 * The emulator is as idempotent, and as strict about duplicates, as AWS's API reference
 * says (test/env/moto_idempotency.py adds what moto 5.2 lacks): one test per behaviour,
 * with the test's own SDK clients, so no later test can run on a kinder AWS unnoticed.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CreateTargetGroupInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { setIdempotency } from '../../env/moto.ts';
import { useTestEnv, type TestEnv } from '../../env/testenv.ts';

describe('emulator: idempotent creates and duplicates', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  before(() => {
    env = testEnv.env;
  });
  beforeEach(async () => {
    await env.resetAws();
  });
  after(async () => {
    await env.resetAws();
  });

  const lbInput = (overrides: { Scheme?: 'internal' | 'internet-facing' } = {}) => ({
    Name: 'idem-lb',
    Type: 'application' as const,
    Scheme: overrides.Scheme ?? ('internet-facing' as const),
    IpAddressType: 'ipv4' as const,
    Subnets: [...env.world.publicSubnetIds],
    SecurityGroups: [env.world.nodeSecurityGroupId],
    Tags: [{ Key: 'owner', Value: 'first' }],
  });

  const tgInput = (overrides: Partial<CreateTargetGroupInput> = {}): CreateTargetGroupInput => ({
    Name: 'idem-tg',
    VpcId: env.world.vpcId,
    Protocol: 'HTTP',
    Port: 8080,
    TargetType: 'ip',
    HealthCheckPath: '/healthz',
    HealthCheckIntervalSeconds: 15,
    Matcher: { HttpCode: '200-399' },
    ...overrides,
  });

  async function loadBalancer(): Promise<string> {
    const out = await env.aws.elbv2.send(new CreateLoadBalancerCommand(lbInput()));
    return out.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  }

  async function targetGroup(name = 'idem-tg'): Promise<string> {
    const out = await env.aws.elbv2.send(new CreateTargetGroupCommand(tgInput({ Name: name })));
    return out.TargetGroups?.[0]?.TargetGroupArn ?? '';
  }

  it('CreateLoadBalancer with an existing name and the same settings returns the existing one, tags untouched', async () => {
    const first = await loadBalancer();
    const again = await env.aws.elbv2.send(
      new CreateLoadBalancerCommand({ ...lbInput(), Tags: [{ Key: 'owner', Value: 'second' }] }),
    );
    assert.equal(again.LoadBalancers?.[0]?.LoadBalancerArn, first);
    const all = await env.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.deepEqual(
      all.LoadBalancers?.map((lb) => lb.LoadBalancerArn),
      [first],
    );
    const tags = await env.aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [first] }));
    assert.deepEqual(tags.TagDescriptions?.[0]?.Tags, [{ Key: 'owner', Value: 'first' }]);
  });

  it('CreateLoadBalancer with an existing name and other settings fails DuplicateLoadBalancerName', async () => {
    await loadBalancer();
    await assert.rejects(
      env.aws.elbv2.send(
        new CreateLoadBalancerCommand({
          ...lbInput({ Scheme: 'internal' }),
          Subnets: [...env.world.privateSubnetIds],
        }),
      ),
      { name: 'DuplicateLoadBalancerNameException' },
    );
    const all = await env.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(all.LoadBalancers?.length, 1);
  });

  it('CreateTargetGroup with an existing name returns it for the same settings and fails DuplicateTargetGroupName for others', async () => {
    const first = await targetGroup();
    const again = await env.aws.elbv2.send(new CreateTargetGroupCommand(tgInput()));
    assert.equal(again.TargetGroups?.[0]?.TargetGroupArn, first);
    await assert.rejects(
      env.aws.elbv2.send(new CreateTargetGroupCommand(tgInput({ Port: 9090 }))),
      {
        name: 'DuplicateTargetGroupNameException',
      },
    );
    await assert.rejects(
      env.aws.elbv2.send(new CreateTargetGroupCommand(tgInput({ HealthCheckPath: '/other' }))),
      { name: 'DuplicateTargetGroupNameException' },
    );
    const all = await env.aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.deepEqual(
      all.TargetGroups?.map((tg) => tg.TargetGroupArn),
      [first],
    );
  });

  it('CreateListener on a port in use returns the existing listener for the same settings and fails DuplicateListener for others', async () => {
    const lb = await loadBalancer();
    const [tgA, tgB] = [await targetGroup('idem-a'), await targetGroup('idem-b')];
    const listener = (tg: string) =>
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
      });
    const first = await env.aws.elbv2.send(listener(tgA));
    const again = await env.aws.elbv2.send(listener(tgA));
    assert.equal(again.Listeners?.[0]?.ListenerArn, first.Listeners?.[0]?.ListenerArn);
    await assert.rejects(env.aws.elbv2.send(listener(tgB)), {
      name: 'DuplicateListenerException',
    });
    const all = await env.aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb }));
    assert.equal(all.Listeners?.length, 1);
  });

  it('AddListenerCertificates of a certificate already in the list succeeds without adding it again', async () => {
    const lb = await loadBalancer();
    const tg = await targetGroup();
    const cert = async (domain: string) =>
      (await env.aws.acm.send(new RequestCertificateCommand({ DomainName: domain })))
        .CertificateArn ?? '';
    const [main, sni] = [await cert('a.example.com'), await cert('b.example.com')];
    const created = await env.aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: main }],
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
      }),
    );
    const ListenerArn = created.Listeners?.[0]?.ListenerArn ?? '';
    const add = new AddListenerCertificatesCommand({
      ListenerArn,
      Certificates: [{ CertificateArn: sni }],
    });
    await env.aws.elbv2.send(add);
    await env.aws.elbv2.send(add);
    const listed = await env.aws.elbv2.send(new DescribeListenerCertificatesCommand({ ListenerArn }));
    assert.deepEqual(listed.Certificates?.map((c) => c.CertificateArn).sort(), [main, sni].sort());
  });

  it('CreateRule with a priority in use on the listener fails PriorityInUse', async () => {
    const lb = await loadBalancer();
    const tg = await targetGroup();
    const created = await env.aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
      }),
    );
    const rule = (path: string) =>
      new CreateRuleCommand({
        ListenerArn: created.Listeners?.[0]?.ListenerArn ?? '',
        Priority: 7,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [path] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: tg }],
      });
    await env.aws.elbv2.send(rule('/a'));
    // Even the very same rule: CreateRule is not idempotent.
    await assert.rejects(env.aws.elbv2.send(rule('/a')), { name: 'PriorityInUseException' });
    await assert.rejects(env.aws.elbv2.send(rule('/b')), { name: 'PriorityInUseException' });
  });

  it('CreateSecurityGroup with a name in use in the VPC fails InvalidGroup.Duplicate', async () => {
    const input = { GroupName: 'idem-sg', Description: 'd', VpcId: env.world.vpcId };
    await env.aws.ec2.send(new CreateSecurityGroupCommand(input));
    await assert.rejects(env.aws.ec2.send(new CreateSecurityGroupCommand(input)), {
      name: 'InvalidGroup.Duplicate',
    });
    const found = await env.aws.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['idem-sg'] }] }),
    );
    assert.equal(found.SecurityGroups?.length, 1);
  });

  it('AuthorizeSecurityGroupIngress of an existing permission fails InvalidPermission.Duplicate', async () => {
    const sg = await env.aws.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'idem-sg',
        Description: 'd',
        VpcId: env.world.vpcId,
      }),
    );
    const authorize = new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg.GroupId ?? '',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    });
    await env.aws.ec2.send(authorize);
    await assert.rejects(env.aws.ec2.send(authorize), { name: 'InvalidPermission.Duplicate' });
  });

  it('RegisterTargets of registered targets succeeds, DeregisterTargets of unknown ones too', async () => {
    const tg = await targetGroup();
    const targets = [{ Id: '10.0.1.10', Port: 8080 }];
    await env.aws.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }));
    await env.aws.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }));
    const health = await env.aws.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: tg }),
    );
    assert.equal(health.TargetHealthDescriptions?.length, 1);
    await env.aws.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }),
    );
    // AWS: "If the specified target does not exist, the action returns successfully."
    await env.aws.elbv2.send(
      new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: targets }),
    );
  });

  it('is switched off per test, and a reset switches it on again', async () => {
    await setIdempotency(env.state.awsEndpoint, false);
    await loadBalancer();
    await loadBalancer();
    const twice = await env.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(twice.LoadBalancers?.length, 2, 'moto 5.2 on its own creates a second one');
    await env.resetAws();
    await loadBalancer();
    await loadBalancer();
    const once = await env.aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(once.LoadBalancers?.length, 1);
  });
});
