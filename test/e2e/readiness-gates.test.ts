/**
 * Pod readiness gates with `albatross controller` as a process, wired as a user runs it
 * (self-managed certificate): the controller creates the Secret, its leader fills the
 * caBundle of the MutatingWebhookConfiguration the "chart" installed without one, the
 * API server calls the webhook over TLS, and a pod whose containers are ready is
 * registered and its gate turned True by the controller alone. The test plays kubelet
 * and endpoint controller (pod IP, ContainersReady, the EndpointSlice).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { READINESS_GATE_INJECT_LABEL } from '../../pkg/translate/index.ts';
import { allocatePodIps } from '../env/pod-ips.ts';
import { freePort } from '../env/ports.ts';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import {
  createPodUntil,
  gatesOf,
  pod,
  webhookConfiguration,
} from '../integration/readiness/helpers.ts';
import { useControllers, type ControllerProcess } from './controller-process.ts';
import { awsView, eventually, ingressManifest } from './world-view.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

describe('albatross controller: pod readiness gates end to end', () => {
  const testEnv = useTestEnv();
  const controllers = useControllers();
  let env: TestEnv;
  let core: CoreV1Api;
  let admission: AdmissionregistrationV1Api;
  let ctl: ControllerProcess;
  let ns: string;
  let configuration: string;

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('e2e-gates');
    configuration = `albatross-webhook-${ns}`;
    core = env.kc.makeApiClient(CoreV1Api);
    admission = env.kc.makeApiClient(AdmissionregistrationV1Api);
    await core.patchNamespace(
      { name: ns, body: { metadata: { labels: { [READINESS_GATE_INJECT_LABEL]: 'enabled' } } } },
      mergePatch,
    );
    const port = await freePort();
    await admission.createMutatingWebhookConfiguration({
      body: webhookConfiguration(configuration, port),
    });
    ctl = controllers.start(env, {
      args: [
        '--watch-namespace',
        ns,
        '--leader-election=false',
        '--webhook-port',
        String(port),
        '--webhook-service-namespace',
        ns,
        '--webhook-configuration-name',
        configuration,
        '--webhook-extra-sans',
        '127.0.0.1',
      ],
    });
    await ctl.listening();
  });

  after(async () => {
    await admission.deleteMutatingWebhookConfiguration({ name: configuration }).catch(() => {
      // already gone
    });
  });

  it('fills the caBundle, injects the gate and turns it True once the target is healthy', async () => {
    // GIVEN the controller's Secret and the caBundle its leader keeps
    const caBundle = await eventually('caBundle filled', async () => {
      const c = await admission.readMutatingWebhookConfiguration({ name: configuration });
      return c.webhooks?.[0]?.clientConfig.caBundle;
    });
    const secret = await core.readNamespacedSecret({
      namespace: ns,
      name: 'albatross-webhook-tls',
    });
    assert.equal(caBundle, secret.data?.['ca.crt']);

    // AND an ip-mode Ingress applied by the controller
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web', namespace: ns },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    });
    await env.kc.makeApiClient(NetworkingV1Api).createNamespacedIngress({
      namespace: ns,
      body: ingressManifest('web', [{ path: '/', service: 'web' }], {
        'alb.ingress.kubernetes.io/target-type': 'ip',
      }),
    });
    const tg = await eventually('target group created', async () =>
      (await awsView(env)).ourTgs().find((t) => t.targetType === 'ip'),
    );

    // WHEN a pod the Service selects is created
    const created = await createPodUntil(
      core,
      pod(ns, 'web-1', { app: 'web' }),
      (p) => gatesOf(p).length > 0,
    );
    const name = created.metadata?.name ?? '';
    const gate = `target-health.elbv2.k8s.aws/${tg.name}`;
    // THEN it carries the gate of that target group
    assert.deepEqual(gatesOf(created), [gate]);

    // WHEN it runs: an IP, containers ready, its endpoint not ready (held by the gate)
    const [ip = ''] = await allocatePodIps(env, 1);
    await core.patchNamespacedPodStatus(
      {
        name,
        namespace: ns,
        body: {
          status: {
            podIP: ip,
            podIPs: [{ ip }],
            conditions: [{ type: 'ContainersReady', status: 'True' }],
          },
        },
      },
      strategicMerge,
    );
    await env.kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: ns,
      body: {
        metadata: {
          name: 'web-slice',
          namespace: ns,
          labels: { 'kubernetes.io/service-name': 'web' },
        },
        addressType: 'IPv4',
        endpoints: [{ addresses: [ip], conditions: { ready: false } }],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    });
    // THEN the controller registers it and, once healthy, sets the gate True
    const condition = await eventually(
      'gate True',
      async () => {
        const p = await core.readNamespacedPodStatus({ name, namespace: ns });
        const c = p.status?.conditions?.find((x) => x.type === gate);
        return c?.status === 'True' ? c : undefined;
      },
      30_000,
    );
    assert.equal(condition.reason, 'Healthy');
    const registered = (await awsView(env)).ourTgs().find((t) => t.arn === tg.arn)?.targets;
    assert.ok(
      registered?.some((t) => t.startsWith(ip)),
      `registered: ${String(registered)}`,
    );
  });
});
