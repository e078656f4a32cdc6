/**
 * Per-listener settings live, against the API server and moto: `mutual-authentication`
 * (verify with a trust store, passthrough, then changed in place) and
 * `listener-attributes.${Protocol}-${Port}` (only the listed keys managed), each settling
 * into a steady state with no write.
 *
 * A trust store given by name is resolved with DescribeTrustStores, which moto does not
 * implement: that path is tested in test/unit/deploy/trust-store-name.test.ts with an
 * injected response for that one call. Here the trust store is given by ARN.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  ModifyListenerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Listener } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { NetworkingV1Api } from '@kubernetes/client-node';

import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import { isMutating } from '../../../pkg/aws/index.ts';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';
import { startInProcessWorld, type InProcessWorld } from './in-process-world.ts';

const A = 'alb.ingress.kubernetes.io/';
const STORE =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/clients/0123456789abcdef';

describe('listener settings: mutual TLS and listener attributes', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessWorld;
  let cert: string;
  const signal = new AbortController().signal;

  before(async () => {
    const env = testEnv.env;
    harness = await startInProcessWorld(env, 'mtls', ['web']);
    ({ ns, net, aws, caches, reconciler } = harness);
    const requested = await env.aws.acm.send(
      new RequestCertificateCommand({ DomainName: 'app.example.com' }),
    );
    cert = requested.CertificateArn ?? '';
  });
  after(async () => {
    await harness.stop();
  });

  async function putIngress(annotations: Record<string, string>): Promise<void> {
    const name = 'app';
    const body = ingress(ns, name, { services: ['web'], annotations });
    try {
      const old = await net.readNamespacedIngress({ name, namespace: ns });
      if (body.metadata !== undefined) {
        body.metadata.resourceVersion = old.metadata?.resourceVersion ?? '';
      }
      await net.replaceNamespacedIngress({ name, namespace: ns, body });
    } catch {
      await net.createNamespacedIngress({ namespace: ns, body });
    }
    const live = await net.readNamespacedIngress({ name, namespace: ns });
    await eventually('cache of app', () =>
      caches.ingresses.get(name, ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
  }

  async function reconcile(): Promise<{ report: ReconcileReport; writes: Record<string, number> }> {
    aws.calls.reset();
    const report = await reconciler.reconcile(`${ns}/app`, signal);
    const writes: Record<string, number> = {};
    for (const c of aws.calls.snapshot()) {
      if (isMutating(c.operation)) writes[c.operation] = (writes[c.operation] ?? 0) + c.count;
    }
    return { report, writes };
  }

  async function steady(): Promise<void> {
    const again = await reconcile();
    assert.equal(again.report.discovery, 'verified', 'the cheap check confirms the stack');
    assert.equal(again.report.planned, 0);
    assert.deepEqual(again.writes, {});
  }

  async function listeners(): Promise<Map<number, Listener>> {
    const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    const tags = await aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: lbs.map((lb) => lb.LoadBalancerArn ?? '') }),
    );
    const arn = tags.TagDescriptions?.find((d) =>
      d.Tags?.some((t) => t.Key === 'albatross.dev/stack' && t.Value === `${ns}/app`),
    )?.ResourceArn;
    const found = await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }));
    return new Map((found.Listeners ?? []).map((l) => [l.Port ?? 0, l]));
  }

  async function attributes(arn: string | undefined): Promise<Record<string, string>> {
    const found = await aws.elbv2.send(new DescribeListenerAttributesCommand({ ListenerArn: arn }));
    return Object.fromEntries((found.Attributes ?? []).map((a) => [a.Key ?? '', a.Value ?? '']));
  }

  const base = (): Record<string, string> => ({
    [`${A}listen-ports`]: '[{"HTTPS":443},{"HTTPS":8443}]',
    [`${A}certificate-arn`]: cert,
  });

  it('creates HTTPS listeners with mutual TLS and the listed attributes, then writes nothing', async () => {
    // GIVEN verify with a trust store on 443, passthrough on 8443, two attributes on 443
    await putIngress({
      ...base(),
      [`${A}mutual-authentication`]: JSON.stringify([
        { port: 443, mode: 'verify', trustStore: STORE, ignoreClientCertificateExpiry: true },
        { port: 8443, mode: 'passthrough' },
      ]),
      [`${A}listener-attributes.HTTPS-443`]:
        'routing.http.response.server.enabled=false,routing.http.response.x_frame_options.header_value=DENY',
    });
    // WHEN reconciled
    const first = await reconcile();
    assert.deepEqual(first.report.frozen, []);
    // THEN AWS has the mutual TLS settings and the attributes on the right listeners
    const byPort = await listeners();
    assert.deepEqual(byPort.get(443)?.MutualAuthentication, {
      Mode: 'verify',
      TrustStoreArn: STORE,
      IgnoreClientCertificateExpiry: true,
    });
    assert.deepEqual(byPort.get(8443)?.MutualAuthentication, { Mode: 'passthrough' });
    const attrs = await attributes(byPort.get(443)?.ListenerArn);
    assert.equal(attrs['routing.http.response.server.enabled'], 'false');
    assert.equal(attrs['routing.http.response.x_frame_options.header_value'], 'DENY');
    await steady();
  });

  it('changes mutual TLS in place, and leaves attribute keys it does not manage alone', async () => {
    // GIVEN someone else set an attribute the annotation does not list
    const before = await listeners();
    const arn443 = before.get(443)?.ListenerArn;
    await aws.elbv2.send(
      new ModifyListenerAttributesCommand({
        ListenerArn: arn443,
        Attributes: [
          { Key: 'routing.http.response.x_content_type_options.header_value', Value: 'nosniff' },
        ],
      }),
    );
    // WHEN 443 turns mutual TLS off and one attribute value changes
    await putIngress({
      ...base(),
      [`${A}mutual-authentication`]: JSON.stringify([
        { port: 443, mode: 'off' },
        { port: 8443, mode: 'passthrough' },
      ]),
      [`${A}listener-attributes.HTTPS-443`]:
        'routing.http.response.server.enabled=true,routing.http.response.x_frame_options.header_value=DENY',
    });
    const changed = await reconcile();
    // THEN the same listener is modified (no replacement) and only the changed key written
    assert.equal(changed.writes.ModifyListener, 1);
    assert.equal(changed.writes.ModifyListenerAttributes, 1);
    assert.equal(changed.writes.CreateListener, undefined);
    assert.equal(changed.writes.DeleteListener, undefined);
    const after = await listeners();
    assert.equal(after.get(443)?.ListenerArn, arn443);
    assert.deepEqual(after.get(443)?.MutualAuthentication, { Mode: 'off' });
    const attrs = await attributes(arn443);
    assert.equal(attrs['routing.http.response.server.enabled'], 'true');
    assert.equal(attrs['routing.http.response.x_content_type_options.header_value'], 'nosniff');
    await steady();
  });

  it('refuses mutual TLS on a port that is not an HTTPS listener, with the port in the error', async () => {
    // GIVEN mutual-authentication for a port the Ingress does not listen on
    await putIngress({
      ...base(),
      [`${A}mutual-authentication`]: JSON.stringify([{ port: 9443, mode: 'passthrough' }]),
    });
    // WHEN reconciled
    const result = await reconcile();
    // THEN the Ingress is frozen (nothing changes) and the Warning names port 9443
    assert.deepEqual(result.report.frozen, [`${ns}/app`]);
    assert.deepEqual(result.writes, {});
    const events = await harness.core.listNamespacedEvent({ namespace: ns });
    assert.ok(
      events.items.some(
        (e) =>
          e.type === 'Warning' &&
          (e.message ?? '').includes('port 9443 is not an HTTPS listen port'),
      ),
    );
  });
});
