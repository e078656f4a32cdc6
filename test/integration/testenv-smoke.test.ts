/**
 * The test environment is real: what goes through the API server and the emulator
 * comes back, watches deliver events, and the seeded world is found the way the
 * controller will look for it.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  AssociateWebACLCommand,
  CreateWebACLCommand,
  GetWebACLForResourceCommand,
} from '@aws-sdk/client-wafv2';
import { CreateProtectionCommand, DescribeProtectionCommand } from '@aws-sdk/client-shield';
import { CoreV1Api, NetworkingV1Api, Watch, type V1Ingress } from '@kubernetes/client-node';
import { allocatePodIps } from '../env/pod-ips.ts';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';

describe('test environment', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  before(async () => {
    env = testEnv.env;
    await env.resetAws();
  });

  it('stores an Ingress in the API server, reads it back and delivers it to a watch', async () => {
    const namespace = await env.freshNamespace();
    const net = env.kc.makeApiClient(NetworkingV1Api);
    const seen: string[] = [];
    const abort = new AbortController();
    const watched = new Promise<void>((resolve, reject) => {
      new Watch(env.kc)
        .watch(
          `/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses`,
          {},
          (phase: string, obj: V1Ingress) => {
            seen.push(`${phase} ${obj.metadata?.name ?? ''}`);
            if (obj.metadata?.name === 'web') resolve();
          },
          (err: unknown) => {
            if (err !== null && err !== undefined && !abort.signal.aborted) reject(toError(err));
          },
        )
        .then((req) => {
          abort.signal.addEventListener('abort', () => {
            req.abort();
          });
        }, reject);
    });
    // Give the watch a moment to be established before the create it must observe.
    await new Promise((r) => setTimeout(r, 300));

    await net.createNamespacedIngress({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          ingressClassName: 'alb',
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  {
                    path: '/cart',
                    pathType: 'Prefix',
                    backend: { service: { name: 'cart', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });

    const read = await net.readNamespacedIngress({ namespace, name: 'web' });
    assert.equal(read.spec?.rules?.[0]?.host, 'shop.example.com');
    assert.equal(read.spec.rules[0].http?.paths[0]?.backend.service?.name, 'cart');
    await watched;
    abort.abort();
    assert.deepEqual(seen, ['ADDED web']);
  });

  it('creates an ALB, listener, rule and target group in the emulator and describes them back', async () => {
    const { elbv2 } = env.aws;
    const lb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'smoke-alb',
        Subnets: [...env.world.publicSubnetIds],
        Scheme: 'internet-facing',
        Type: 'application',
        Tags: [{ Key: 'albatross.dev/cluster', Value: env.clusterName }],
      }),
    );
    const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn;
    assert.ok(lbArn);
    const tg = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'smoke-tg',
        Protocol: 'HTTP',
        Port: 30080,
        VpcId: env.world.vpcId,
        TargetType: 'instance',
      }),
    );
    const tgArn = tg.TargetGroups?.[0]?.TargetGroupArn;
    assert.ok(tgArn);
    const listener = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
          },
        ],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn;
    assert.ok(listenerArn);
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: [
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/cart', '/cart/*'] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: tgArn }],
      }),
    );

    const lbs = await elbv2.send(new DescribeLoadBalancersCommand({ Names: ['smoke-alb'] }));
    assert.equal(lbs.LoadBalancers?.[0]?.Scheme, 'internet-facing');
    assert.match(lbs.LoadBalancers[0].DNSName ?? '', /^smoke-alb-.*\.elb\.amazonaws\.com$/);
    const listeners = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    assert.equal(listeners.Listeners?.[0]?.Port, 80);
    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const rule = rules.Rules?.find((r) => r.Priority === '1');
    assert.deepEqual(rule?.Conditions?.[0]?.PathPatternConfig?.Values, ['/cart', '/cart/*']);
    const tgs = await elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(
      tgs.TargetGroups?.map((t) => t.TargetGroupName),
      ['smoke-tg'],
    );

    // The Resource Groups Tagging API finds it by our tag, as discovery will.
    const tagged = await env.aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'albatross.dev/cluster', Values: [env.clusterName] }],
        ResourceTypeFilters: ['elasticloadbalancing:loadbalancer'],
      }),
    );
    assert.deepEqual(
      tagged.ResourceTagMappingList?.map((m) => m.ResourceARN),
      [lbArn],
    );
  });

  it('keeps regex conditions and rewrite transforms of a rule, as ALB does (moto patched)', async () => {
    const { elbv2 } = env.aws;
    const lb = await elbv2.send(
      new CreateLoadBalancerCommand({ Name: 'regex-alb', Subnets: [...env.world.publicSubnetIds] }),
    );
    const listener = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancers?.[0]?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    const listenerArn = listener.Listeners?.[0]?.ListenerArn;
    const conditions = [
      { Field: 'host-header', HostHeaderConfig: { RegexValues: ['^[^.]+\\.example\\.com$'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/web', '/web/*'] } },
    ];
    const transforms = [
      {
        Type: 'url-rewrite' as const,
        UrlRewriteConfig: { Rewrites: [{ Regex: '^/web/?(.*)$', Replace: '/$1' }] },
      },
    ];
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 1,
        Conditions: conditions,
        Transforms: transforms,
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
      }),
    );
    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const rule = rules.Rules?.find((r) => r.Priority === '1');
    assert.deepEqual(rule?.Conditions, conditions);
    assert.deepEqual(rule.Transforms, transforms);
  });

  it('finds the seeded subnets and node security group by their tags', async () => {
    const { ec2 } = env.aws;
    const cluster = `kubernetes.io/cluster/${env.clusterName}`;
    const publicSubnets = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [env.world.vpcId] },
          { Name: 'tag:kubernetes.io/role/elb', Values: ['1', ''] },
          { Name: `tag:${cluster}`, Values: ['shared', 'owned'] },
        ],
      }),
    );
    assert.deepEqual(
      publicSubnets.Subnets?.map((s) => s.SubnetId).sort(),
      [...env.world.publicSubnetIds].sort(),
    );
    assert.deepEqual(
      new Set(publicSubnets.Subnets.map((s) => s.AvailabilityZone)),
      new Set(['us-east-1a', 'us-east-1b', 'us-east-1c']),
    );
    const privateSubnets = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [{ Name: 'tag:kubernetes.io/role/internal-elb', Values: ['1'] }],
      }),
    );
    assert.deepEqual(
      privateSubnets.Subnets?.map((s) => s.SubnetId).sort(),
      [...env.world.privateSubnetIds].sort(),
    );
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: `tag:${cluster}`, Values: ['owned'] }],
      }),
    );
    assert.deepEqual(
      groups.SecurityGroups?.map((g) => g.GroupId),
      [env.world.nodeSecurityGroupId],
    );
  });

  it('gives every Node a providerID naming one of the seeded instances', async () => {
    const nodes = await env.kc.makeApiClient(CoreV1Api).listNode();
    const byName = new Map(env.world.nodes.map((n) => [n.name, n]));
    assert.equal(nodes.items.length, env.world.nodes.length);
    for (const node of nodes.items) {
      const seeded = byName.get(node.metadata?.name ?? '');
      assert.ok(seeded, `unexpected node ${node.metadata?.name ?? ''}`);
      assert.equal(node.spec?.providerID, `aws:///${seeded.zone}/${seeded.instanceId}`);
      assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    }
  });

  it('gives pod IPs network interfaces in the node security group, as the VPC CNI does', async () => {
    const ips = await allocatePodIps(env, 4);
    assert.equal(new Set(ips).size, 4);
    const enis = await env.aws.ec2.send(
      new DescribeNetworkInterfacesCommand({
        Filters: [{ Name: 'addresses.private-ip-address', Values: ips }],
      }),
    );
    assert.deepEqual(
      enis.NetworkInterfaces?.map((n) => n.PrivateIpAddress).sort(),
      [...ips].sort(),
    );
    for (const eni of enis.NetworkInterfaces ?? []) {
      assert.deepEqual(
        eni.Groups?.map((g) => g.GroupId),
        [env.world.nodeSecurityGroupId],
      );
    }
  });

  it('serves ACM, WAFv2 and Shield for the add-ons of an ALB', async () => {
    const { acm, elbv2, wafv2, shield } = env.aws;
    const requested = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'shop.example.com',
        SubjectAlternativeNames: ['shop.example.com', '*.shop.example.com'],
      }),
    );
    const described = await acm.send(
      new DescribeCertificateCommand({ CertificateArn: requested.CertificateArn }),
    );
    // moto keeps SANs in a set: compare without order.
    assert.deepEqual([...(described.Certificate?.SubjectAlternativeNames ?? [])].sort(), [
      '*.shop.example.com',
      'shop.example.com',
    ]);
    const issued = await acm.send(new ListCertificatesCommand({ CertificateStatuses: ['ISSUED'] }));
    assert.deepEqual(
      issued.CertificateSummaryList?.map((c) => c.CertificateArn),
      [requested.CertificateArn],
    );

    const lb = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'addons-alb',
        Subnets: [...env.world.publicSubnetIds],
      }),
    );
    const lbArn = lb.LoadBalancers?.[0]?.LoadBalancerArn ?? '';
    const acl = await wafv2.send(
      new CreateWebACLCommand({
        Name: 'shop-acl',
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        VisibilityConfig: {
          SampledRequestsEnabled: false,
          CloudWatchMetricsEnabled: false,
          MetricName: 'shop-acl',
        },
      }),
    );
    await wafv2.send(
      new AssociateWebACLCommand({ WebACLArn: acl.Summary?.ARN, ResourceArn: lbArn }),
    );
    const associated = await wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: lbArn }));
    assert.equal(associated.WebACL?.Name, 'shop-acl');

    const protection = await shield.send(
      new CreateProtectionCommand({ Name: 'shop', ResourceArn: lbArn }),
    );
    const protectedOne = await shield.send(
      new DescribeProtectionCommand({ ProtectionId: protection.ProtectionId }),
    );
    assert.equal(protectedOne.Protection?.ResourceArn, lbArn);
  });

  it('resets the emulator to the same seeded world, forgetting what tests created', async () => {
    const before = env.world;
    await env.aws.elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'leftover',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: before.vpcId,
      }),
    );
    const after = await env.resetAws();
    assert.deepEqual(after, before);
    const tgs = await env.aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.deepEqual(tgs.TargetGroups ?? [], []);
  });
});

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
