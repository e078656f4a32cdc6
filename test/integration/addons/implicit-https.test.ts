/**
 * `spec.tls` without `listen-ports` live (issue 15, item 4), with moto's ACM: with an
 * ISSUED certificate for the TLS host the ALB gets HTTPS:443 with that certificate next
 * to HTTP:80; without one only HTTP:80 is made and serves, the Ingress gets a Warning and
 * is not frozen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1Ingress } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, nodePortService } from '../k8s/helpers.ts';

function tlsIngress(ns: string, name: string, host: string): V1Ingress {
  return {
    metadata: { name, namespace: ns },
    spec: {
      ingressClassName: 'alb',
      tls: [{ hosts: [host], secretName: 'not-read' }],
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: 'web', port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

describe('spec.tls without listen-ports', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let harness: InProcessReconciler;
  let aws: AwsClients;
  const signal = new AbortController().signal;

  async function listenersOf(
    dnsName: string,
  ): Promise<{ port: string; certificates: string[]; rules: number }[]> {
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = lbs.LoadBalancers?.find((l) => l.DNSName?.toLowerCase() === dnsName);
    const listeners =
      (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn })))
        .Listeners ?? [];
    const out = [];
    for (const l of listeners) {
      const rules = (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn })))
        .Rules;
      out.push({
        port: `${l.Protocol ?? ''}:${String(l.Port)}`,
        certificates: (l.Certificates ?? []).map((c) => c.CertificateArn ?? ''),
        rules: (rules ?? []).filter((r) => r.IsDefault !== true).length,
      });
    }
    return out.sort((a, b) => (a.port < b.port ? -1 : 1));
  }

  async function reconcileNew(name: string, host: string) {
    await harness.net.createNamespacedIngress({ namespace: ns, body: tlsIngress(ns, name, host) });
    await eventually(`cache of ${name}`, () => harness.caches.ingresses.get(name, ns));
    return harness.reconciler.reconcile(`${ns}/${name}`, signal);
  }

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('tls');
    harness = await startInProcessReconciler(env, { namespace: ns });
    aws = harness.aws;
    await harness.core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
  });
  after(async () => {
    await harness.stop();
  });

  it('adds HTTPS:443 with the certificate issued for the TLS host next to HTTP:80', async () => {
    // GIVEN an ISSUED certificate for shop.example.com
    const arn =
      (
        await aws.acm.send(
          new RequestCertificateCommand({
            DomainName: 'shop.example.com',
            ValidationMethod: 'DNS',
          }),
        )
      ).CertificateArn ?? '';
    // WHEN an Ingress with spec.tls for that host and no listen-ports is reconciled
    const report = await reconcileNew('shop', 'shop.example.com');
    // THEN its ALB serves HTTP:80 and HTTPS:443 with that certificate, the rule on both
    assert.deepEqual(report.frozen, []);
    assert.ok(report.dnsName !== null);
    assert.deepEqual(await listenersOf(report.dnsName), [
      { port: 'HTTP:80', certificates: [], rules: 1 },
      { port: 'HTTPS:443', certificates: [arn], rules: 1 },
    ]);
    // AND a second reconcile plans nothing
    const again = await harness.reconciler.reconcile(`${ns}/shop`, signal);
    assert.equal(again.planned, 0);
  });

  it('keeps HTTP:80 serving with a Warning, and no freeze, when no certificate covers the TLS host', async () => {
    // GIVEN no certificate for blog.example.org, WHEN its Ingress is reconciled
    const report = await reconcileNew('blog', 'blog.example.org');
    // THEN only HTTP:80 is made, with its rule, and the Ingress is not frozen
    assert.deepEqual(report.frozen, []);
    assert.ok(report.dnsName !== null);
    assert.deepEqual(await listenersOf(report.dnsName), [
      { port: 'HTTP:80', certificates: [], rules: 1 },
    ]);
    // AND its address is published, AND a Warning names the TLS host
    await eventually('status address', async () => {
      const ing = await harness.net.readNamespacedIngress({ name: 'blog', namespace: ns });
      return ing.status?.loadBalancer?.ingress?.[0]?.hostname;
    });
    const warning = await eventually('the Warning', async () => {
      const list = await harness.core.listNamespacedEvent({ namespace: ns });
      return list.items.find(
        (e) =>
          e.type === 'Warning' &&
          e.involvedObject.name === 'blog' &&
          (e.message ?? '').includes('blog.example.org'),
      );
    });
    assert.equal(warning.reason, 'BuildModelWarning');
    assert.match(warning.message ?? '', /HTTP keeps serving/);
  });
});
