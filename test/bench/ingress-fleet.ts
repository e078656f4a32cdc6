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

/** A NodePort Service of the fleet. */
export function fleetService(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: {
      type: 'NodePort',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  };
}

/** The two Services Ingress `i` routes to. */
export function fleetServiceNames(i: number): [string, string] {
  return [`app-${String(i)}-web`, `app-${String(i)}-api`];
}

/**
 * Ingress `i` of the fleet: `/` and `/api` to its two Services. In `group` (the
 * `group.name` annotation) it gets a host of its own, so the members' rules differ.
 * @default its own implicit group, no host
 */
export function fleetIngress(namespace: string, i: number, group?: string): V1Ingress {
  const backend = (s: string) => ({
    service: { name: `app-${String(i)}-${s}`, port: { number: 80 } },
  });
  return {
    metadata: {
      name: `app-${String(i)}`,
      namespace,
      ...(group !== undefined
        ? { annotations: { 'alb.ingress.kubernetes.io/group.name': group } }
        : {}),
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          ...(group !== undefined ? { host: `app-${String(i)}.example.com` } : {}),
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
  const services = names.flatMap(fleetServiceNames);
  await eachLimited(services, CONCURRENCY, (name) =>
    ctrl.core.createNamespacedService({ namespace, body: fleetService(namespace, name) }),
  );
  await until('services cached', () => ctrl.caches.serviceMap().size >= services.length, 30_000);
  await ctrl.waitIdle(30_000);
  ctrl.aws.calls.reset();
  const reconcilesBefore = ctrl.perReconcile.length;

  const started = performance.now();
  await eachLimited(names, CONCURRENCY, (i) =>
    ctrl.net.createNamespacedIngress({ namespace, body: fleetIngress(namespace, i) }),
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
