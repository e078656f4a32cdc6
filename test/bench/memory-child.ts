/**
 * The memory benchmark's controller stand-in: only ClusterCaches (the informers, as the
 * controller runs them, all namespaces) until synced, then one JSON line with the RSS and
 * heap before and after. Run by memory-bench.ts with KUBECONFIG set; not a benchmark itself.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterCaches } from '../../pkg/k8s/index.ts';

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

function settle(): void {
  // --expose-gc: collect what the lists left behind, so RSS shows what the caches hold.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

const kc = new KubeConfig();
kc.loadFromDefault();
settle();
const before = process.memoryUsage();
const started = performance.now();
const caches = new ClusterCaches({ kc });
await caches.start();
while (!caches.hasSynced()) await delay(20);
const syncSeconds = (performance.now() - started) / 1000;
const counts = {
  ingresses: caches.ingressList().length,
  services: caches.serviceMap().size,
  endpoints: [...caches.endpointSlicesByService().values()]
    .flat()
    .reduce((n, s) => n + (s.endpoints?.length ?? 0), 0),
  nodes: caches.nodeList().length,
};
// Let the watches settle, then measure twice around a collection.
await delay(1000);
const peak = process.memoryUsage();
settle();
await delay(200);
const after = process.memoryUsage();
console.log(
  JSON.stringify({
    counts,
    syncSeconds,
    rssBeforeMb: mb(before.rss),
    rssPeakMb: mb(peak.rss),
    rssMb: mb(after.rss),
    heapUsedMb: mb(after.heapUsed),
    heapUsedBeforeMb: mb(before.heapUsed),
  }),
);
await caches.stop();
