/**
 * The real plug (see the ControllerPlug contract in manager.ts): the cluster caches,
 * the event → work key mapper and the reconciler, wired together. Wiring only.
 *
 * Garbage collection rides the queue as one more key, `collect-garbage:`, handed out
 * with the group keys at every resync and on becoming leader: it runs in a worker like
 * any reconcile (so only the leader collects, only on synced caches, and a shutdown
 * drains it), and enqueues the group key of each stack of this cluster whose group no
 * longer exists; that key's reconcile deletes it (garbage-collection.ts says why).
 * The key contains ':' but does not start with `targets:`, so no group id can equal it.
 *
 * The cluster-level backend rules ride the queue the same way, as `backend-access:`,
 * handed out at every resync: their periodic repair (a group reconcile already serves
 * its own changed needs, before and after its apply).
 */
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import {
  BINDING_KEY_PREFIX,
  BindingCache,
  ClusterCaches,
  ensureDigestKey,
  GroupKeyMapper,
  wireBindingEvents,
  wireEvents,
} from '../pkg/k8s/index.ts';
import { BindingReconciler } from './binding-reconciler.ts';
import type { PlugFactory } from './controller-command.ts';
import { garbageCollection } from './garbage-collection.ts';
import type { ControllerPlug } from './manager.ts';
import { processWith } from './manager.ts';
import { ReadinessGates } from './readiness/readiness-gates.ts';
import { Reconciler } from './reconciler.ts';
import { vpcFromNodes } from './vpc-from-nodes.ts';
import { bindingRouteSource } from './webhook/binding-route-source.ts';

export const GARBAGE_KEY = 'collect-garbage:';
export const BACKEND_ACCESS_KEY = 'backend-access:';

export const reconcilerPlug: PlugFactory = async ({ config, kc, aws, log }) => {
  const vpcId = config.aws.vpcId ?? (await vpcFromNodes(kc, aws));
  const ns = config.watchNamespace;
  const caches = new ClusterCaches({
    kc,
    digestKey: await ensureDigestKey(kc.makeApiClient(CoreV1Api), config.digestKeySecret),
    ...(ns !== undefined ? { watchNamespace: ns } : {}),
    onRestart: (kind, reason) => {
      log.warn('watch restarted', { kind, reason });
    },
  });
  const mapper = new GroupKeyMapper(caches, config.translate);
  // TargetGroupBindings: their own keys (`tgb:<ns>/<name>`) on the same queue and workers.
  const bindings = new BindingCache({ kc, ...(ns !== undefined ? { watchNamespace: ns } : {}) });
  // Pod readiness gates (controller/readiness/): off with --webhook-port 0.
  const gates =
    config.webhook === undefined
      ? undefined
      : new ReadinessGates({
          webhook: config.webhook,
          kc,
          caches,
          aws,
          translate: config.translate,
          log,
          mapper,
          extraSources: [bindingRouteSource(bindings, caches)],
          extraSourceEvents: [bindings],
          bindingKeys: (namespace, service) => bindings.forService(namespace, service),
          ...(ns !== undefined ? { watchNamespace: ns } : {}),
        });

  const reconciler = new Reconciler({
    caches,
    mapper,
    networking: kc.makeApiClient(NetworkingV1Api),
    core: kc.makeApiClient(CoreV1Api),
    clients: aws,
    vpcId,
    translate: config.translate,
    nodePortRange: config.nodePortRange,
    ...(ns !== undefined ? { watchNamespace: ns } : {}),
    fullDiscoveryIntervalMs: config.fullDiscoveryIntervalMs,
    certificateDiscoveryTtlMs: config.certificateDiscoveryTtlMs,
    log,
    ...(gates !== undefined ? { gatedAddresses: () => gates.gatedAddresses() } : {}),
  });
  const bindingReconciler = new BindingReconciler({
    bindings,
    caches,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    clients: aws,
    clusterName: config.translate.clusterName,
    vpcId,
    ...(gates !== undefined ? { gatedAddresses: () => gates.gatedAddresses() } : {}),
  });
  const processBinding = processWith(
    (key, signal) => bindingReconciler.reconcile(key, signal),
    log,
  );
  // Set by start: workers (and so the sweep) only run once the informers have started.
  let enqueueKey: ((key: string) => void) | undefined;
  const collectGarbage = garbageCollection(
    reconciler,
    (key) => {
      if (enqueueKey === undefined) throw new Error('garbage collection before start');
      enqueueKey(key);
    },
    log,
  );

  const backendAccess = processWith(async (_key, signal) => {
    const done = await reconciler.resyncBackendAccess(signal);
    const changed = done === null ? [] : [...done.authorized, ...done.revoked];
    if (done !== null && changed.length > 0) log.info('repaired the backend rules', { ...done });
    return { changesApplied: changed.length };
  }, log);

  const plug: ControllerPlug = {
    async start(enqueue, signal) {
      enqueueKey = enqueue;
      wireEvents(caches, mapper, enqueue);
      wireBindingEvents(bindings, caches, enqueue);
      try {
        await caches.start();
        await bindings.start();
        await gates?.start(enqueue);
        await aborted(signal);
      } finally {
        await gates?.stop();
        await Promise.all([caches.stop(), bindings.stop()]);
      }
    },
    hasSynced: () => caches.hasSynced() && bindings.hasSynced() && (gates?.hasSynced() ?? true),
    keys: () => [
      ...reconciler.resyncKeys(),
      ...bindings.keys(),
      GARBAGE_KEY,
      BACKEND_ACCESS_KEY,
      ...(gates?.keys() ?? []),
    ],
    process: (key, signal) =>
      key.startsWith(BINDING_KEY_PREFIX)
        ? processBinding(key, signal)
        : key === GARBAGE_KEY
          ? collectGarbage(key, signal)
          : key === BACKEND_ACCESS_KEY
            ? backendAccess(key, signal)
            : gates?.handles(key) === true
              ? gates.process(key, signal)
              : reconciler.process(key, signal),
    managedLoadBalancers: () => reconciler.managedLoadBalancers(),
    ungatedPods: () => gates?.ungatedPods() ?? 0,
    duplicatesRepaired: () => reconciler.duplicatesRepaired(),
  };
  log.info('reconciler plugged in', { vpcId });
  return plug;
};

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}
