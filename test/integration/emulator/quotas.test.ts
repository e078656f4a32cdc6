/**
 * The emulator enforces AWS's default quotas (test/env/moto_quotas.py): at each quota a
 * call works, one more is refused with the code AWS returns; a quota lowered for a test
 * through the control endpoint is enforced, and a reset restores AWS's defaults. Without
 * these, a test could pass on an AWS that never says no.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
} from '@aws-sdk/client-ec2';
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand,
  SetSecurityGroupsCommand,
  type Action,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import { awsErrorCode } from '../../../pkg/aws/index.ts';
import { setQuotas } from '../../env/moto.ts';
import { useTestEnv, type TestEnv } from '../../env/testenv.ts';

const fixed: Action[] = [
  { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
];
const path = (value: string): RuleCondition[] => [
  { Field: 'path-pattern', PathPatternConfig: { Values: [value] } },
];

async function refused(call: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  await assert.rejects(call, (err: unknown) => {
    assert.equal(awsErrorCode(err), code, String(err));
    if (message !== undefined) assert.match((err as Error).message, message);
    return true;
  });
}

describe('emulator: AWS quotas', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let n = 0;
  // One reset: every test counts on resources of its own (its load balancer, group).
  before(async () => {
    env = testEnv.env;
    await env.resetAws();
  });

  async function loadBalancer(securityGroups?: string[]): Promise<string> {
    n += 1;
    const out = await env.aws.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: `quota-${n}`,
        Subnets: [...env.world.publicSubnetIds],
        ...(securityGroups !== undefined ? { SecurityGroups: securityGroups } : {}),
      }),
    );
    return out.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
  }

  async function listener(lb: string, port: number): Promise<string> {
    const out = await env.aws.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb,
        Protocol: 'HTTP',
        Port: port,
        DefaultActions: fixed,
      }),
    );
    return out.Listeners?.[0]?.ListenerArn ?? '';
  }

  const rule = (
    listenerArn: string,
    priority: number,
    actions = fixed,
    conditions?: RuleCondition[],
  ) =>
    env.aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: priority,
        Conditions: conditions ?? path(`/p${priority}`),
        Actions: actions,
      }),
    );

  async function targetGroup(name: string, type: 'instance' | 'ip' = 'instance'): Promise<string> {
    const out = await env.aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 80,
        VpcId: env.world.vpcId,
        TargetType: type,
      }),
    );
    return out.TargetGroups?.[0]?.TargetGroupArn ?? '';
  }

  async function securityGroup(name: string): Promise<string> {
    const out = await env.aws.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: name,
        Description: name,
        VpcId: env.world.vpcId,
      }),
    );
    return out.GroupId ?? '';
  }

  it('100 rules per load balancer, summed over its listeners, then TooManyRules', async () => {
    const lb = await loadBalancer();
    const [a, b] = [await listener(lb, 80), await listener(lb, 81)];
    for (let p = 1; p <= 60; p += 1) await rule(a, p);
    for (let p = 1; p <= 40; p += 1) await rule(b, p);
    await refused(rule(b, 41), 'TooManyRules', /number of rules per load balancer/);
    // Another load balancer has its own count.
    await rule(await listener(await loadBalancer(), 80), 1);
  });

  it('5 condition values per rule (every value of every condition), then ValidationError', async () => {
    const l = await listener(await loadBalancer(), 80);
    const five: RuleCondition[] = [
      { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com', 'b.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { RegexValues: ['^/a$'] } },
      { Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'HEAD'] } },
    ];
    const created = await rule(l, 1, fixed, five);
    const six: RuleCondition[] = [
      ...five,
      { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } },
    ];
    const message = /A rule can only have '5' condition values/;
    await refused(rule(l, 2, fixed, six), 'ValidationError', message);
    await refused(
      env.aws.elbv2.send(
        new ModifyRuleCommand({ RuleArn: created.Rules?.[0]?.RuleArn, Conditions: six }),
      ),
      'ValidationError',
      message,
    );
  });

  it('100 unique target groups per load balancer, then TooManyUniqueTargetGroupsPerLoadBalancer', async () => {
    const l = await listener(await loadBalancer(), 80);
    const groups: string[] = [];
    for (let i = 0; i < 101; i += 1) groups.push(await targetGroup(`tg-${i}`));
    const forward = (arns: string[]): Action[] => [
      {
        Type: 'forward',
        ForwardConfig: { TargetGroups: arns.map((TargetGroupArn) => ({ TargetGroupArn })) },
      },
    ];
    for (let r = 0; r < 20; r += 1) await rule(l, r + 1, forward(groups.slice(r * 5, r * 5 + 5)));
    // A target group already forwarded to counts once.
    await rule(l, 21, forward([groups[0] ?? '']));
    await refused(
      rule(l, 22, forward([groups[100] ?? ''])),
      'TooManyUniqueTargetGroupsPerLoadBalancer',
    );
  });

  it('50 listeners per load balancer, then TooManyListeners', async () => {
    const lb = await loadBalancer();
    for (let port = 8000; port < 8050; port += 1) await listener(lb, port);
    await refused(listener(lb, 8050), 'TooManyListeners');
  });

  it('25 certificates per load balancer besides the default ones, then TooManyCertificates', async () => {
    const cert = async (name: string) =>
      (
        await env.aws.acm.send(
          new RequestCertificateCommand({
            DomainName: `${name}.example.com`,
            ValidationMethod: 'DNS',
          }),
        )
      ).CertificateArn ?? '';
    const lb = await loadBalancer();
    const defaultCert = await cert('default');
    const https = async (port: number) =>
      (
        await env.aws.elbv2.send(
          new CreateListenerCommand({
            LoadBalancerArn: lb,
            Protocol: 'HTTPS',
            Port: port,
            Certificates: [{ CertificateArn: defaultCert }],
            DefaultActions: fixed,
          }),
        )
      ).Listeners?.[0]?.ListenerArn ?? '';
    const [a, b] = [await https(443), await https(8443)];
    const sni: string[] = [];
    for (let i = 0; i < 26; i += 1) sni.push(await cert(`sni${i}`));
    const add = (l: string, arns: string[]) =>
      env.aws.elbv2.send(
        new AddListenerCertificatesCommand({
          ListenerArn: l,
          Certificates: arns.map((CertificateArn) => ({ CertificateArn })),
        }),
      );
    await add(a, sni.slice(0, 25));
    // The same certificate on a second listener is not a second one.
    await add(b, sni.slice(0, 3));
    await refused(add(b, [sni[25] ?? '']), 'TooManyCertificates');
  });

  it('60 inbound rules per security group, then RulesPerSecurityGroupLimitExceeded', async () => {
    const sg = await securityGroup('quota-inbound');
    const cidrs = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ CidrIp: `10.${from + i}.0.0/16` }));
    const authorize = (from: number, count: number) =>
      env.aws.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: sg,
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: cidrs(from, count) },
          ],
        }),
      );
    await authorize(0, 59);
    await authorize(59, 1);
    await refused(authorize(60, 1), 'RulesPerSecurityGroupLimitExceeded');
  });

  it('5 security groups per load balancer, then InvalidConfigurationRequest', async () => {
    const groups: string[] = [];
    for (let i = 0; i < 6; i += 1) groups.push(await securityGroup(`quota-lb-${i}`));
    const lb = await loadBalancer(groups.slice(0, 5));
    await refused(
      env.aws.elbv2.send(
        new SetSecurityGroupsCommand({ LoadBalancerArn: lb, SecurityGroups: groups }),
      ),
      'InvalidConfigurationRequest',
      /security groups per load balancer/,
    );
    await refused(loadBalancer(groups), 'InvalidConfigurationRequest');
  });

  it('1,000 targets per target group, then TooManyTargets', async () => {
    const tg = await targetGroup('quota-targets', 'ip');
    const ips = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        Id: `10.0.${Math.floor((from + i) / 250)}.${((from + i) % 250) + 1}`,
        Port: 80,
      }));
    const register = (from: number, count: number) =>
      env.aws.elbv2.send(
        new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: ips(from, count) }),
      );
    await register(0, 1000);
    await register(0, 10); // registered already: not more targets
    await refused(register(1000, 1), 'TooManyTargets');
  });

  it('a quota lowered for a test is enforced; a reset restores the default', async () => {
    const set = await setQuotas(env.state.awsEndpoint, { rules_per_load_balancer: 2 });
    assert.equal(set.rules_per_load_balancer, 2);
    assert.equal(set.listeners_per_load_balancer, 50, 'the others keep their values');
    const l = await listener(await loadBalancer(), 80);
    await rule(l, 1);
    await rule(l, 2);
    await refused(rule(l, 3), 'TooManyRules');

    await env.resetAws();
    const l2 = await listener(await loadBalancer(), 80);
    for (let p = 1; p <= 3; p += 1) await rule(l2, p);
    const restored = await setQuotas(env.state.awsEndpoint, {});
    assert.equal(restored.rules_per_load_balancer, 100);
  });

  it('an unknown quota name is refused by the control endpoint', async () => {
    await assert.rejects(
      setQuotas(env.state.awsEndpoint, { rules: 3 } as never),
      /HTTP 400.*unknown quotas/,
    );
  });
});
