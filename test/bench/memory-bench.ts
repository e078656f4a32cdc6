/**
 * Memory: the controller's RSS with 500 Ingresses, 2,000 Services, 20,000 endpoints (200
 * EndpointSlices of 100) and 500 Nodes in the API server (goal ≤ 200 MB). The objects are
 * made the way a cluster has them (managedFields written by the server, Nodes with
 * images, capacity and conditions, endpoints with targetRefs and zones) and created with
 * bounded parallel requests.
 *
 * What is measured is what users run: the benchmark compiles the tree (tsc -p
 * tsconfig.build.json, as the image's build stage), then runs `dist/controller/main.js
 * controller` as a child process with the Node flags of the Dockerfile's ENTRYPOINT,
 * leader election off, against this environment (controller-rss.ts). Its VmRSS is read
 * from /proc when it logs `listening` (every module loaded, no cache filled yet), once
 * /readyz answers 200 (every cache synced) plus 1 s, and after the workers have
 * reconciled the 50 groups for 10 s. 3 runs, median; the goal is judged on "synced".
 *
 * The test API server's Service range is a /24, so 200 Services are NodePort (each with
 * a ClusterIP) and the other 1,800 are headless; the cache strips both kinds alike.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1EndpointSlice, V1Ingress, V1Node, V1Service } from '@kubernetes/client-node';
import { TestEnv } from '../env/testenv.ts';
import { eachLimited, median } from './bench-controller.ts';
import { imageNodeFlags, measureControllerRss } from './controller-rss.ts';
import type { ControllerRss } from './controller-rss.ts';

const NAMESPACES = 10;
const INGRESSES = 500;
const SERVICES = 2000;
const NODE_PORT_SERVICES = 200;
const SLICES = 200;
const ENDPOINTS_PER_SLICE = 100;
const NODES = 500;
const CONCURRENCY = 32;
const RUNS = 3;
/** How long the workers reconcile the 50 groups before the last reading. */
const RECONCILE_SECONDS = 10;

const run = promisify(execFile);

function nsOf(i: number): string {
  return `mem-${String(i % NAMESPACES)}`;
}

function service(i: number): V1Service {
  const name = `svc-${String(i)}`;
  const nodePort = i < NODE_PORT_SERVICES;
  return {
    metadata: {
      name,
      namespace: nsOf(i),
      labels: { app: name, 'app.kubernetes.io/part-of': 'shop', team: `team-${String(i % 7)}` },
      annotations: { 'meta.helm.sh/release-name': `release-${String(i)}` },
    },
    spec: {
      ...(nodePort ? { type: 'NodePort' } : { clusterIP: 'None' }),
      selector: { app: name },
      ports: [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    },
  };
}

function slice(i: number): V1EndpointSlice {
  const svc = `svc-${String(i)}`;
  return {
    metadata: {
      name: `${svc}-abcde`,
      namespace: nsOf(i),
      labels: {
        'kubernetes.io/service-name': svc,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
    },
    addressType: 'IPv4',
    endpoints: Array.from({ length: ENDPOINTS_PER_SLICE }, (_, e) => ({
      addresses: [`10.${String(1 + (i >> 8))}.${String(i & 255)}.${String(e + 1)}`],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `node-${String((i * ENDPOINTS_PER_SLICE + e) % NODES)}`,
      zone: ['us-east-1a', 'us-east-1b', 'us-east-1c'][e % 3] ?? 'us-east-1a',
      targetRef: {
        kind: 'Pod',
        name: `${svc}-7d9f8b6c5d-${String(e).padStart(5, 'x')}`,
        namespace: nsOf(i),
        uid: `00000000-0000-4000-8000-${String(i * 1000 + e).padStart(12, '0')}`,
      },
    })),
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ],
  };
}

function ingress(i: number): V1Ingress {
  const backend = (s: number) => ({
    service: { name: `svc-${String(s)}`, port: { number: 80 } },
  });
  // Services of the same namespace: i, and the next one of that namespace.
  const first = i % SERVICES;
  const second = (first + NAMESPACES) % SERVICES;
  return {
    metadata: {
      name: `ing-${String(i)}`,
      namespace: nsOf(first),
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/group.name': `group-${String(i % 50)}`,
        'alb.ingress.kubernetes.io/healthcheck-path': '/healthz',
      },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          host: `app-${String(i)}.example.com`,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: backend(first) },
              { path: '/api', pathType: 'Prefix', backend: backend(second) },
            ],
          },
        },
      ],
    },
  };
}

function node(i: number): V1Node {
  const name = `node-${String(i)}`;
  const zone = ['us-east-1a', 'us-east-1b', 'us-east-1c'][i % 3] ?? 'us-east-1a';
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': 'us-east-1',
        'node.kubernetes.io/instance-type': 'm5.large',
        'eks.amazonaws.com/nodegroup': 'workers',
      },
    },
    spec: { providerID: `aws:///${zone}/i-${(0x10000000 + i).toString(16)}` },
  };
}

function nodeStatus(i: number): V1Node {
  const now = new Date();
  const condition = (type: string, status: string) => ({
    type,
    status,
    reason: `Kubelet${type}`,
    message: `kubelet reports ${type} ${status}`,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return Object.assign(node(i), {
    status: {
      conditions: [
        condition('MemoryPressure', 'False'),
        condition('DiskPressure', 'False'),
        condition('PIDPressure', 'False'),
        condition('Ready', 'True'),
      ],
      addresses: [
        { type: 'InternalIP', address: `10.0.${String(128 + (i >> 8))}.${String(i & 255)}` },
        { type: 'Hostname', address: `node-${String(i)}` },
      ],
      capacity: { cpu: '2', memory: '7934456Ki', pods: '29', 'ephemeral-storage': '83873772Ki' },
      allocatable: { cpu: '1930m', memory: '7244280Ki', pods: '29' },
      nodeInfo: {
        machineID: `ec2${String(i).padStart(29, '0')}`,
        systemUUID: `ec2${String(i).padStart(29, '0')}`,
        bootID: `boot-${String(i)}`,
        kernelVersion: '6.1.0-amazon',
        osImage: 'Amazon Linux 2023',
        containerRuntimeVersion: 'containerd://1.7.11',
        kubeletVersion: 'v1.34.4',
        kubeProxyVersion: 'v1.34.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
      images: Array.from({ length: 25 }, (_, k) => ({
        names: [
          `602401143452.dkr.ecr.us-east-1.amazonaws.com/image-${String(k)}@sha256:${'ab'.repeat(32)}`,
          `602401143452.dkr.ecr.us-east-1.amazonaws.com/image-${String(k)}:v1.${String(k)}.0`,
        ],
        sizeBytes: 50_000_000 + k,
      })),
    },
  });
}

async function load(env: TestEnv): Promise<number> {
  const core = env.kc.makeApiClient(CoreV1Api);
  const net = env.kc.makeApiClient(NetworkingV1Api);
  const discovery = env.kc.makeApiClient(DiscoveryV1Api);
  const started = performance.now();
  const index = (n: number) => Array.from({ length: n }, (_, i) => i);
  await eachLimited(index(NAMESPACES), CONCURRENCY, (i) =>
    core.createNamespace({ body: { metadata: { name: nsOf(i) } } }),
  );
  await Promise.all([
    eachLimited(index(SERVICES), CONCURRENCY / 4, (i) =>
      core.createNamespacedService({ namespace: nsOf(i), body: service(i) }),
    ),
    eachLimited(index(SLICES), CONCURRENCY / 4, (i) =>
      discovery.createNamespacedEndpointSlice({ namespace: nsOf(i), body: slice(i) }),
    ),
    eachLimited(index(INGRESSES), CONCURRENCY / 4, (i) => {
      const body = ingress(i);
      return net.createNamespacedIngress({ namespace: body.metadata?.namespace ?? '', body });
    }),
    eachLimited(index(NODES), CONCURRENCY / 4, async (i) => {
      await core.createNode({ body: node(i) });
      await core.replaceNodeStatus({ name: `node-${String(i)}`, body: nodeStatus(i) });
    }),
  ]);
  return (performance.now() - started) / 1000;
}

/** Compiles controller/ and pkg/ to dist/, as the image's build stage does. */
export async function build(): Promise<void> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  try {
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root });
  } catch (err) {
    // tsc emits despite type errors (someone's work in progress); the run below still
    // measures the emitted code, so say so rather than stop.
    const out = (err as { stdout?: string }).stdout ?? String(err);
    console.log(`  tsc reported errors (dist/ emitted anyway):\n${out.slice(0, 2000)}`);
  }
}

export async function bench(): Promise<void> {
  const buildStarted = performance.now();
  await build();
  console.log(
    `memory: compiled to dist/ in ${((performance.now() - buildStarted) / 1000).toFixed(1)} s; node flags from the Dockerfile ENTRYPOINT: ${imageNodeFlags().join(' ') || '(none)'}`,
  );
  const env = await TestEnv.start({ detached: false });
  try {
    const loadSeconds = await load(env);
    console.log(
      `  ${String(INGRESSES)} Ingresses, ${String(SERVICES)} Services, ${String(SLICES * ENDPOINTS_PER_SLICE)} endpoints in ${String(SLICES)} EndpointSlices, ${String(NODES)} Nodes (+3 seeded); loaded in ${loadSeconds.toFixed(1)} s`,
    );
    const figures: ControllerRss[] = [];
    for (let i = 0; i < RUNS; i++) {
      const f = await measureControllerRss(env, {
        reconcileSeconds: RECONCILE_SECONDS,
        timeoutMs: 120_000,
      });
      figures.push(f);
      console.log(
        `  run ${String(i + 1)}: RSS ${String(f.beforeCaches.rssMb)} MB before the caches; synced in ${f.syncSeconds.toFixed(1)} s, RSS ${String(f.synced.rssMb)} MB (peak so far ${String(f.synced.peakMb)} MB); after ${String(RECONCILE_SECONDS)} s of reconciling ${String(f.reconciling.rssMb)} MB (peak ${String(f.reconciling.peakMb)} MB)`,
      );
    }
    const med = (pick: (f: ControllerRss) => number): string => String(median(figures.map(pick)));
    console.log(
      `  median RSS: ${med((f) => f.beforeCaches.rssMb)} MB before the caches, ${med((f) => f.synced.rssMb)} MB synced (goal ≤ 200 MB), ${med((f) => f.reconciling.rssMb)} MB reconciling (peak ${med((f) => f.reconciling.peakMb)} MB)`,
    );
  } finally {
    await env.stop();
  }
}
