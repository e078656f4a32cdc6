/**
 * Scale: what one new Ingress costs the controller in a cluster of 200 and of 2,000
 * Ingresses (each its own group, target-type ip, one headless Service and one
 * EndpointSlice each, all in the API server and in the controller's caches; the
 * in-process wiring of bench-controller.ts / in-process-reconciler.ts). If one group's
 * reconcile costs O(its own objects), the 2,000 figures are about the 200 ones.
 *
 * Measured per step, as the reconcile runs it: the event mapping of the new Ingress
 * (GroupKeyMapper.ingressChanged) and of its Service and EndpointSlice; loading its
 * group from the caches' index (ClusterCaches.groupOf); gathering the build's
 * environment from the caches; buildStack. Each: median and p90 time over 200 calls, and
 * the bytes allocated per call (the heap's growth plus what the collections in between
 * freed, from v8.GCProfiler). Then one real reconcile of the new group against the
 * emulator (time, event-loop utilisation, AWS calls) and a second, steady one.
 *
 * BENCH_SCALE_SIZES changes the sizes (default `200,2000`).
 */
import { GCProfiler } from 'node:v8';
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1EndpointSlice, V1Ingress, V1Service } from '@kubernetes/client-node';
import { SubnetCache } from '../../controller/subnet-cache.ts';
import { buildStack, type Env } from '../../pkg/translate/index.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../env/in-process-reconciler.ts';
import { TestEnv } from '../env/testenv.ts';
import { eachLimited, until } from './bench-controller.ts';
import { measure } from './measure.ts';

const RUNS = 200;
const CONCURRENCY = 16;

function sizes(): number[] {
  const text = process.env.BENCH_SCALE_SIZES ?? '200,2000';
  const list = text.split(',').map(Number);
  if (
    list.some((n) => !Number.isInteger(n) || n < 1) ||
    list.join() !== [...list].sort((a, b) => a - b).join()
  ) {
    throw new Error(
      `BENCH_SCALE_SIZES must be ascending whole numbers, e.g. 200,2000, not "${text}"`,
    );
  }
  return list;
}

function objects(
  ns: string,
  name: string,
): {
  service: V1Service;
  slice: V1EndpointSlice;
  ingress: V1Ingress;
} {
  return {
    service: {
      metadata: { name, namespace: ns },
      spec: {
        clusterIP: 'None',
        selector: { app: name },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    },
    slice: {
      metadata: {
        name: `${name}-x`,
        namespace: ns,
        labels: { 'kubernetes.io/service-name': name },
      },
      addressType: 'IPv4',
      endpoints: [1, 2].map((e) => ({
        addresses: [`10.1.${String(e)}.${String(1 + (name.length % 250))}`],
        conditions: { ready: true, serving: true, terminating: false },
      })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
    ingress: {
      metadata: {
        name,
        namespace: ns,
        annotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
      },
      spec: {
        ingressClassName: 'alb',
        rules: [
          {
            host: `${name}.example.com`,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name, port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    },
  };
}

async function create(env: TestEnv, ns: string, names: readonly string[]): Promise<void> {
  const discovery = env.kc.makeApiClient(DiscoveryV1Api);
  const core = env.kc.makeApiClient(CoreV1Api);
  const net = env.kc.makeApiClient(NetworkingV1Api);
  await eachLimited(names, CONCURRENCY, async (name) => {
    const o = objects(ns, name);
    await core.createNamespacedService({ namespace: ns, body: o.service });
    await discovery.createNamespacedEndpointSlice({ namespace: ns, body: o.slice });
    await net.createNamespacedIngress({ namespace: ns, body: o.ingress });
  });
}

/** Bytes allocated per call of `fn`: heap growth plus what the collections in between freed. */
function allocatedPerCall(fn: () => unknown, runs: number): number {
  const keep: unknown[] = [];
  const profiler = new GCProfiler();
  profiler.start();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < runs; i++) keep.push(fn());
  const after = process.memoryUsage().heapUsed;
  const freed = profiler
    .stop()
    .statistics.reduce(
      (sum, gc) =>
        sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize,
      0,
    );
  keep.length = 0;
  return (after - before + freed) / runs;
}

interface Step {
  readonly name: string;
  readonly medianUs: number;
  readonly p90Us: number;
  readonly kib: number;
}

function step(name: string, fn: () => unknown): Step {
  const f = measure(name, fn, { warmup: 20, runs: RUNS });
  return {
    name,
    medianUs: f.medianMs * 1000,
    p90Us: f.p90Ms * 1000,
    kib: allocatedPerCall(fn, RUNS) / 1024,
  };
}

interface SizeFigures {
  readonly size: number;
  readonly steps: readonly Step[];
  readonly reconcileMs: number;
  readonly reconcileElu: number;
  readonly reconcileCalls: number;
  readonly steadyMs: number;
  readonly steadyCalls: number;
}

async function measureAt(
  env: TestEnv,
  ns: string,
  h: InProcessReconciler,
  size: number,
): Promise<SizeFigures> {
  const name = `new-${String(size)}`;
  await create(env, ns, [name]);
  await until(
    'the new Ingress cached',
    () => h.caches.ingressList().some((i) => i.metadata?.name === name),
    30_000,
  );
  const o = objects(ns, name);
  const ingress = h.caches.ingressList().find((i) => i.metadata?.name === name) ?? o.ingress;
  const service = h.caches.serviceMap().get(`${ns}/${name}`) ?? o.service;
  const slice = h.caches.endpointSlicesByService().get(`${ns}/${name}`)?.[0] ?? o.slice;
  const [key] = h.mapper.ingressChanged('updated', ingress);
  if (key === undefined) throw new Error(`no work key for ${name}`);
  const groupId = `${ns}/${name}`;
  const subnets = await new SubnetCache({ clients: h.aws, vpcId: env.world.vpcId }).get();
  const gather = (): Env => ({
    services: h.caches.serviceMap(),
    endpointSlices: h.caches.endpointSlicesByService(),
    nodes: h.caches.nodeList(),
    ingressClasses: h.caches.ingressClassMap(),
    oidcClients: h.caches.oidcSecrets().clients(),
    subnets,
    backendSecurityGroupId: 'sg-0123456789abcdef0',
  });
  const group = h.caches.groupOf(groupId, h.translate);
  if (group === undefined) throw new Error(`the caches' index has no group ${groupId}`);
  const built = gather();
  const steps = [
    step('map the Ingress event', () => h.mapper.ingressChanged('updated', ingress)),
    step('map its Service event', () => h.mapper.serviceChanged('updated', service)),
    step('map its EndpointSlice event', () => h.mapper.endpointSliceChanged('updated', slice)),
    step('load its group (caches.groupOf)', () => h.caches.groupOf(groupId, h.translate)),
    step('gather the environment', gather),
    step('buildStack', () => buildStack(group, built, h.translate)),
  ];

  const signal = new AbortController().signal;
  h.aws.calls.reset();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await h.reconciler.reconcile(key, signal);
  const reconcileMs = performance.now() - t0;
  const reconcileElu = performance.eventLoopUtilization(elu0).utilization;
  const reconcileCalls = h.aws.calls.total();
  h.aws.calls.reset();
  const t1 = performance.now();
  await h.reconciler.reconcile(key, signal);
  const steadyMs = performance.now() - t1;
  return {
    size,
    steps,
    reconcileMs,
    reconcileElu,
    reconcileCalls,
    steadyMs,
    steadyCalls: h.aws.calls.total(),
  };
}

export async function bench(): Promise<void> {
  const env = await TestEnv.start({ detached: false });
  let h: InProcessReconciler | undefined;
  try {
    const ns = await env.freshNamespace('scale');
    const results: SizeFigures[] = [];
    let loaded = 0;
    for (const size of sizes()) {
      const started = performance.now();
      const names = Array.from({ length: size - loaded }, (_, i) => `app-${String(loaded + i)}`);
      await create(env, ns, names);
      loaded = size;
      h ??= await startInProcessReconciler(env, { namespace: ns });
      const harness = h;
      if (results.length === 0) {
        // The cluster's first reconcile also makes the shared backend security group:
        // done once here, so the sizes compare like with like.
        await harness.reconciler.reconcile(`${ns}/app-0`, new AbortController().signal);
      }
      await until(
        'the caches to hold the fleet',
        () => harness.caches.ingressList().length >= size + results.length,
        120_000,
      );
      console.log(
        `scale: ${String(size)} Ingresses, Services and EndpointSlices in the API server and the caches (${((performance.now() - started) / 1000).toFixed(0)} s to load)`,
      );
      const r = await measureAt(env, ns, harness, size);
      results.push(r);
      for (const s of r.steps) {
        console.log(
          `  ${s.name}: median ${s.medianUs.toFixed(1)} µs, p90 ${s.p90Us.toFixed(1)} µs, ${s.kib.toFixed(1)} KiB allocated per call`,
        );
      }
      console.log(
        `  one reconcile of the new group against the emulator: ${r.reconcileMs.toFixed(0)} ms (event loop ${(r.reconcileElu * 100).toFixed(0)} % busy), ${String(r.reconcileCalls)} AWS calls; the next one ${r.steadyMs.toFixed(0)} ms, ${String(r.steadyCalls)} calls`,
      );
    }
    const small = results[0];
    const large = results.at(-1);
    if (small !== undefined && large !== undefined && large !== small) {
      console.log(
        `  ratio ${String(large.size)} / ${String(small.size)} Ingresses (1.0: independent of the cluster's size):`,
      );
      large.steps.forEach((s, i) => {
        const base = small.steps[i];
        if (base === undefined) return;
        console.log(
          `    ${s.name}: time ${(s.medianUs / base.medianUs).toFixed(2)}, allocations ${(s.kib / base.kib).toFixed(2)}`,
        );
      });
      console.log(`    one reconcile: time ${(large.reconcileMs / small.reconcileMs).toFixed(2)}`);
    }
  } finally {
    await h?.stop();
    await env.stop();
  }
}
