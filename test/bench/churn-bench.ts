/**
 * Churn: a rolling replacement of the 50 pods behind one ip-mode target group. Pod IPs
 * are primary addresses of ENIs in the node security group (allocatePodIps), as the VPC
 * CNI gives them. Each step replaces one pod in the EndpointSlice (old address out, new
 * one in) and waits for the controller (work queue, 1 worker) to settle. Prints the
 * reconciles per step and the AWS calls per reconcile by operation (goal: one register
 * and one deregister batch per step).
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Endpoint, V1EndpointSlice, V1Ingress, V1Service } from '@kubernetes/client-node';
import { allocatePodIps } from '../env/pod-ips.ts';
import { TestEnv } from '../env/testenv.ts';
import { formatCounts, median, startController, sum, until } from './bench-controller.ts';
import type { BenchController, ReconcileCalls } from './bench-controller.ts';

const PODS = 50;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const service = (ns: string): V1Service => ({
  metadata: { name: 'pods', namespace: ns },
  spec: {
    selector: { app: 'pods' },
    ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
  },
});

const endpoints = (ips: readonly string[]): V1Endpoint[] =>
  ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } }));

const slice = (ns: string, ips: readonly string[]): V1EndpointSlice => ({
  metadata: {
    name: 'pods-slice',
    namespace: ns,
    labels: { 'kubernetes.io/service-name': 'pods' },
  },
  addressType: 'IPv4',
  endpoints: endpoints(ips),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

const ingress = (ns: string): V1Ingress => ({
  metadata: {
    name: 'pods',
    namespace: ns,
    annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
  },
  spec: {
    ingressClassName: 'alb',
    rules: [
      {
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 'pods', port: { number: 80 } } },
            },
          ],
        },
      },
    ],
  },
});

function cachedIps(ctrl: BenchController, ns: string): string[] {
  const slices = ctrl.caches.endpointSlicesByService().get(`${ns}/pods`) ?? [];
  return slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses));
}

export async function bench(): Promise<void> {
  const env = await TestEnv.start({ detached: false });
  let ctrl: BenchController | undefined;
  try {
    const ns = await env.freshNamespace('churn');
    const ips = await allocatePodIps(env, 2 * PODS);
    ctrl = await startController(env, { namespace: ns, workers: 1 });
    await ctrl.core.createNamespacedService({ namespace: ns, body: service(ns) });
    await ctrl.discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: slice(ns, ips.slice(0, PODS)),
    });
    await ctrl.net.createNamespacedIngress({ namespace: ns, body: ingress(ns) });
    const c = ctrl;
    await until(
      'the Ingress to have an address',
      () =>
        c.caches.ingresses.get('pods', ns)?.status?.loadBalancer?.ingress?.[0]?.hostname !==
        undefined,
      60_000,
    );
    await ctrl.waitIdle(60_000);

    const steps: ReconcileCalls[][] = [];
    let current = ips.slice(0, PODS);
    const started = performance.now();
    for (let k = 0; k < PODS; k++) {
      const incoming = ips[PODS + k] ?? '';
      current = [...current.slice(1), incoming];
      const before = ctrl.perReconcile.length;
      await ctrl.discovery.patchNamespacedEndpointSlice(
        { name: 'pods-slice', namespace: ns, body: { endpoints: endpoints(current) } },
        mergePatch,
      );
      await until('the slice in the cache', () => cachedIps(c, ns).includes(incoming), 10_000);
      await ctrl.waitIdle(30_000);
      steps.push(ctrl.perReconcile.slice(before));
    }
    const seconds = (performance.now() - started) / 1000;

    const all = steps.flat();
    const byOperation: Record<string, number[]> = {};
    for (const r of all) {
      for (const [op, n] of Object.entries({ ...r.reads, ...r.writes })) {
        (byOperation[op] ??= []).push(n);
      }
    }
    const medians = Object.fromEntries(
      Object.entries(byOperation).map(([op, ns_]) => [
        op,
        median([...ns_, ...Array<number>(all.length - ns_.length).fill(0)]),
      ]),
    );
    const kinds = new Set(all.map((r) => r.report?.kind ?? 'failed'));
    const registerBatches = all.reduce((n, r) => n + (r.writes.RegisterTargets ?? 0), 0);
    const deregisterBatches = all.reduce((n, r) => n + (r.writes.DeregisterTargets ?? 0), 0);
    console.log(
      `churn: rolling replacement of ${String(PODS)} pods behind one ip-mode target group, one pod per step, 1 worker`,
    );
    console.log(
      `  ${String(PODS)} steps in ${seconds.toFixed(1)} s; reconciles per step: median ${String(median(steps.map((s) => s.length)))} (kinds: ${[...kinds].join(', ')})`,
    );
    console.log(
      `  AWS calls per reconcile: median ${String(median(all.map((r) => sum(r.reads) + sum(r.writes))))} (${formatCounts(medians)})`,
    );
    console.log(
      `  over all steps: ${String(registerBatches)} RegisterTargets and ${String(deregisterBatches)} DeregisterTargets calls for ${String(PODS)} steps (goal: one of each per step)`,
    );
    if (ctrl.failures.length > 0) {
      console.log(
        `  failed reconciles: ${String(ctrl.failures.length)}, first: ${ctrl.failures[0] ?? ''}`,
      );
    }
  } finally {
    await ctrl?.stop();
    await env.stop();
  }
}
