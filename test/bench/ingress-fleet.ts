/**
 * The converge and resync benchmarks' cluster: `count` Ingresses, each its own group,
 * each with two paths to two NodePort Services of its own (instance mode, the default),
 * created at once while the controller runs.
 */
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import type { BenchController, ReconcileCalls } from './bench-controller.ts';
import { eachLimited, until } from './bench-controller.ts';

/** Parallel API requests while creating objects. */
const CONCURRENCY = 16;

function service(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: {
      type: 'NodePort',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  };
}

function ingress(namespace: string, i: number): V1Ingress {
  const backend = (s: string) => ({
    service: { name: `app-${String(i)}-${s}`, port: { number: 80 } },
  });
  return {
    metadata: { name: `app-${String(i)}`, namespace },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: backend('web') },
              { path: '/api', pathType: 'Prefix', backend: backend('api') },
            ],
          },
        },
      ],
    },
  };
}

export interface FleetFigures {
  /** Seconds from the first Ingress create until every Ingress shows an address. */
  readonly addressesSeconds: number;
  /** Seconds until the queue drained as well (the controller's own second passes). */
  readonly idleSeconds: number;
  /** The reconciles the workers ran until then, with their calls. */
  readonly reconciles: readonly ReconcileCalls[];
}

/** The group ids of the fleet: implicit groups, `namespace/name`. */
export function fleetGroups(namespace: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${namespace}/app-${String(i)}`);
}

/** Creates the Services (not timed), then the Ingresses all at once, and waits. */
export async function convergeFleet(
  ctrl: BenchController,
  namespace: string,
  count: number,
  timeoutMs: number,
): Promise<FleetFigures> {
  const names = Array.from({ length: count }, (_, i) => i);
  const services = names.flatMap((i) => [`app-${String(i)}-web`, `app-${String(i)}-api`]);
  await eachLimited(services, CONCURRENCY, (name) =>
    ctrl.core.createNamespacedService({ namespace, body: service(namespace, name) }),
  );
  await until('services cached', () => ctrl.caches.serviceMap().size >= services.length, 30_000);
  await ctrl.waitIdle(30_000);
  ctrl.aws.calls.reset();
  const reconcilesBefore = ctrl.perReconcile.length;

  const started = performance.now();
  await eachLimited(names, CONCURRENCY, (i) =>
    ctrl.net.createNamespacedIngress({ namespace, body: ingress(namespace, i) }),
  );
  const addressed = () =>
    ctrl.caches
      .ingressList()
      .filter((i) => i.status?.loadBalancer?.ingress?.[0]?.hostname !== undefined).length;
  try {
    await until('every Ingress to have an address', () => addressed() >= count, timeoutMs);
  } catch (err) {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    throw new Error(
      `${String(addressed())} of ${String(count)} Ingresses addressed after ${seconds} s, ${String(ctrl.perReconcile.length - reconcilesBefore)} reconciles, ${String(ctrl.failures.length)} failures (last: ${ctrl.failures.at(-1) ?? 'none'})`,
      { cause: err },
    );
  }
  const addressesSeconds = (performance.now() - started) / 1000;
  await ctrl.waitIdle(timeoutMs);
  const idleSeconds = (performance.now() - started) / 1000;
  return { addressesSeconds, idleSeconds, reconciles: ctrl.perReconcile.slice(reconcilesBefore) };
}
