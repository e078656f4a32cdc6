/**
 * "Which target groups route to this pod", as a list of sources. Each source gives the
 * routes (gate, namespace, selector, target group) it knows of in one namespace; the
 * webhook injects every matching gate and the pod-condition loop reads health per route.
 *
 * The sources: the ip-mode target groups of our Ingresses, built by the pure core from
 * the caches exactly as a reconcile builds them (subnets unknown: they do not change a
 * target group's name); and the ip-mode TargetGroupBindings (binding-route-source.ts,
 * gate = the binding's name, target group by ARN or name). Both work on every replica,
 * leader or not, so any replica can answer the API server.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { groupIngresses, namespaceOf } from '../../pkg/ingress/index.ts';
import type { ClusterCaches } from '../../pkg/k8s/index.ts';
import {
  buildStack,
  gatesForPod,
  ingressPodRoutes,
  type PodRoute,
  type TranslateConfig,
} from '../../pkg/translate/index.ts';

/** The routes a source knows of in one namespace. */
export type PodRouteSource = (namespace: string) => readonly PodRoute[];

export type RouteCaches = Pick<
  ClusterCaches,
  'ingressList' | 'ingressClassMap' | 'serviceMap' | 'endpointSlicesByService' | 'nodeList'
>;

/** The Ingress source: the ip-mode target groups of every group with a member in the namespace. */
export function ingressRouteSource(
  caches: RouteCaches,
  translate: TranslateConfig,
): PodRouteSource {
  return (namespace) => {
    const groups = groupIngresses(caches.ingressList(), caches.ingressClassMap(), translate);
    const services = caches.serviceMap();
    const env = {
      services,
      // Targets do not change names; leaving them unknown keeps this cheap.
      endpointSlices: undefined,
      nodes: undefined,
      ingressClasses: caches.ingressClassMap(),
      subnets: undefined,
    };
    const routes: PodRoute[] = [];
    for (const group of groups) {
      // An Ingress routes only to Services of its own namespace.
      if (!group.members.some((m) => namespaceOf(m.ingress) === namespace)) continue;
      const { stack } = buildStack(group, env, translate);
      routes.push(...ingressPodRoutes(stack, services).filter((r) => r.namespace === namespace));
    }
    return routes;
  };
}

/** Every route of every source in the namespace. */
export function podRoutes(sources: readonly PodRouteSource[], namespace: string): PodRoute[] {
  return sources.flatMap((source) => source(namespace));
}

/** The webhook's lookup: the gates for a pod from all sources. */
export function gateLookup(sources: readonly PodRouteSource[]): (pod: V1Pod) => string[] {
  return (pod) => gatesForPod(pod, podRoutes(sources, pod.metadata?.namespace ?? ''));
}
