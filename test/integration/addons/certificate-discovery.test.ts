/**
 * Certificate discovery against the API server and moto's ACM: HTTPS listeners without
 * `certificate-arn` get the ISSUED certificates that cover their hosts (exact and
 * single-label wildcard), an uncovered host freezes its Ingress with a Warning naming
 * it, the certificate list is one shared read per TTL (a new certificate is picked up
 * once it has passed), an issuer filter keeps only a private CA's certificates, and a
 * settled group costs no ACM call and no write.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { V1Ingress } from '@kubernetes/client-node';
import { Reconciler, type ReconcileReport } from '../../../controller/reconciler.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, nodePortService } from '../k8s/helpers.ts';

const MINUTE = 60_000;
const CA = 'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0a1b2c3d-test-ca';

function httpsIngress(
  ns: string,
  name: string,
  hosts: readonly string[],
  group?: string,
): V1Ingress {
  return {
    metadata: {
      name,
      namespace: ns,
      annotations: {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTPS":443}]',
        ...(group === undefined ? {} : { 'alb.ingress.kubernetes.io/group.name': group }),
      },
    },
    spec: {
      ingressClassName: 'alb',
      rules: hosts.map((host) => ({
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
      })),
    },
  };
}

describe('certificate discovery', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let harness: InProcessReconciler;
  let aws: AwsClients;
  let clock = 1_000_000;
  const signal = new AbortController().signal;
  const arns: Record<string, string> = {};

  async function request(domain: string, sans: string[] = [], ca?: string): Promise<string> {
    const out = await aws.acm.send(
      new RequestCertificateCommand({
        DomainName: domain,
        ...(sans.length > 0 ? { SubjectAlternativeNames: sans } : {}),
        ...(ca === undefined ? {} : { CertificateAuthorityArn: ca }),
      }),
    );
    return out.CertificateArn ?? '';
  }

  async function waitCached(name: string): Promise<void> {
    const live = await harness.net.readNamespacedIngress({ name, namespace: ns });
    await eventually(`cache of ${name}`, () =>
      harness.caches.ingresses.get(name, ns)?.metadata?.resourceVersion ===
      live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(
    key: string,
    reconciler = harness.reconciler,
  ): Promise<{ report: ReconcileReport; calls: Record<string, number>; writes: number }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(key, signal);
    const calls: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      calls[`${c.service}:${c.operation}`] = (calls[`${c.service}:${c.operation}`] ?? 0) + c.count;
    }
    return { report, calls, writes: aws.calls.mutatingCalls() };
  }

  /** The HTTPS listener of the load balancer named by DNS: default certificate first. */
  async function listenerCertificates(dnsName: string): Promise<string[]> {
    const lbs = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    const lb = lbs.LoadBalancers?.find((l) => l.DNSName?.toLowerCase() === dnsName);
    const listener = (
      await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb?.LoadBalancerArn }))
    ).Listeners?.[0];
    const all = await aws.elbv2.send(
      new DescribeListenerCertificatesCommand({ ListenerArn: listener?.ListenerArn }),
    );
    const def = listener?.Certificates?.[0]?.CertificateArn ?? '';
    const rest = (all.Certificates ?? [])
      .map((c) => c.CertificateArn ?? '')
      .filter((a) => a !== def)
      .sort();
    return [def, ...rest];
  }

  before(async () => {
    const env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('certs');
    harness = await startInProcessReconciler(env, {
      namespace: ns,
      reconciler: { now: () => clock, fullDiscoveryIntervalMs: 24 * 60 * MINUTE },
    });
    aws = harness.aws;
    await harness.core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    arns.exact = await request('shop.example.com');
    arns.wildcard = await request('*.example.com');
    arns.other = await request('www.example.org', ['example.org']);
  });
  after(async () => {
    await harness.stop();
  });

  it('attaches every certificate that covers a host, exactly or by wildcard, and then writes nothing', async () => {
    // GIVEN an HTTPS Ingress for shop.example.com and api.example.com, no certificate-arn
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: httpsIngress(ns, 'shop', ['shop.example.com', 'api.example.com']),
    });
    await waitCached('shop');
    // WHEN it is reconciled
    const first = await reconcile(`${ns}/shop`);
    // THEN the listener has the exact and the wildcard certificate, not the unrelated one;
    // shop.example.com comes first, so its certificates (by ARN) lead and one is the default
    assert.deepEqual(first.report.frozen, []);
    assert.ok(first.report.dnsName !== null);
    const expected = [arns.exact ?? '', arns.wildcard ?? ''].sort();
    assert.deepEqual(await listenerCertificates(first.report.dnsName), expected);
    // AND ACM was listed once
    assert.equal(first.calls['acm:ListCertificates'], 1);
    // AND the next reconcile plans nothing, writes nothing and asks ACM nothing (cached)
    const second = await reconcile(`${ns}/shop`);
    assert.equal(second.report.planned, 0);
    assert.equal(second.writes, 0);
    assert.equal(second.calls['acm:ListCertificates'], undefined);
    assert.equal(second.calls['acm:DescribeCertificate'], undefined);
  });

  it('shares one certificate list between groups within the TTL', async () => {
    // GIVEN another group whose host a known certificate covers
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: httpsIngress(ns, 'blog', ['blog.example.com']),
    });
    await waitCached('blog');
    // WHEN it is reconciled within the TTL of the first group's listing
    const blog = await reconcile(`${ns}/blog`);
    // THEN it gets the wildcard certificate without any ACM call
    assert.ok(blog.report.dnsName !== null);
    assert.deepEqual(await listenerCertificates(blog.report.dnsName), [arns.wildcard]);
    assert.equal(blog.calls['acm:ListCertificates'], undefined);
  });

  it('picks up a certificate issued later once the TTL has passed, and describes only the new one', async () => {
    // GIVEN a settled group, WHEN a second certificate for shop.example.com is issued
    const later = await request('shop.example.com', ['www.shop.example.com']);
    // THEN within the TTL nothing changes
    clock += MINUTE - 1;
    const within = await reconcile(`${ns}/shop`);
    assert.equal(within.report.planned, 0);
    assert.equal(within.writes, 0);
    // AND once the TTL has passed the list is read again and the new certificate attached
    clock += 1;
    const afterTtl = await reconcile(`${ns}/shop`);
    assert.equal(afterTtl.calls['acm:ListCertificates'], 1);
    assert.equal(
      afterTtl.calls['acm:DescribeCertificate'],
      1,
      'only the new certificate is described',
    );
    assert.equal(afterTtl.calls['elbv2:AddListenerCertificates'], 1);
    assert.equal(afterTtl.writes, 1, 'one AddListenerCertificates, the default stays');
    assert.ok(afterTtl.report.dnsName !== null);
    const now = await listenerCertificates(afterTtl.report.dnsName);
    assert.deepEqual([...now].sort(), [arns.exact ?? '', arns.wildcard ?? '', later].sort());
    // AND the group is steady again
    const steady = await reconcile(`${ns}/shop`);
    assert.equal(steady.report.planned, 0);
    assert.equal(steady.writes, 0);
  });

  it('freezes an Ingress with a host no certificate covers, names the host, and applies nothing of it', async () => {
    // GIVEN a group of a good member and one with an uncovered host
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: httpsIngress(ns, 'good', ['good.example.com'], 'mixed'),
    });
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: httpsIngress(ns, 'bad', ['a.b.example.com', 'good.example.com'], 'mixed'),
    });
    await waitCached('good');
    await waitCached('bad');
    // WHEN the group is reconciled
    const result = await reconcile('mixed');
    // THEN the bad member is frozen and the good one applied
    assert.deepEqual(result.report.frozen, [`${ns}/bad`]);
    assert.ok(result.report.dnsName !== null);
    // AND nothing of the bad member exists: only the good member's rule and target group
    assert.equal(result.report.byChange['create ListenerRule'], 1);
    assert.equal(result.report.byChange['create TargetGroup'], 1);
    // AND a Warning Event on the bad member names the uncovered host
    const events = await harness.core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=bad`,
    });
    const warning = events.items.find((e) => e.type === 'Warning');
    assert.equal(warning?.reason, 'FailedBuildModel');
    assert.match(
      warning.message ?? '',
      /"a\.b\.example\.com": no ISSUED ACM certificate covers this host/,
    );
    // AND the group is steady: nothing more is planned
    const again = await reconcile('mixed');
    assert.equal(again.report.planned, 0);
    assert.equal(again.writes, 0);
  });

  it('with an issuer filter, attaches only certificates of the allowed private CA', async () => {
    // GIVEN an Amazon-issued and a private-CA certificate for the same host
    const amazon = await request('pca.example.net');
    const privateCa = await request('pca.example.net', [], CA);
    assert.ok(amazon !== '' && privateCa !== '');
    await harness.net.createNamespacedIngress({
      namespace: ns,
      body: httpsIngress(ns, 'pca', ['pca.example.net']),
    });
    await waitCached('pca');
    // WHEN a controller that allows only that CA reconciles it
    const filtered = new Reconciler({
      caches: harness.caches,
      mapper: harness.mapper,
      networking: harness.net,
      core: harness.core,
      clients: aws,
      vpcId: testEnv.env.world.vpcId,
      watchNamespace: ns,
      translate: { ...harness.translate, allowedCertificateAuthorityArns: [CA] },
    });
    const report = await filtered.reconcile(`${ns}/pca`, signal);
    // THEN only the private certificate is attached
    assert.ok(report.dnsName !== null);
    assert.deepEqual(await listenerCertificates(report.dnsName), [privateCa]);
    // AND without the filter (once its cached list has expired) the Amazon-issued one is too
    clock += MINUTE;
    const unfiltered = await reconcile(`${ns}/pca`);
    assert.ok(unfiltered.report.dnsName !== null);
    assert.deepEqual(
      await listenerCertificates(unfiltered.report.dnsName),
      [amazon, privateCa].sort(),
    );
  });
});
