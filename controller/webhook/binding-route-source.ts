/**
 * The TargetGroupBinding route source: the ip-mode bindings of a namespace as routes
 * (gate = the binding's name), from the binding cache and the shared Service cache.
 * Like the Ingress source it reads caches only, so every replica can answer the webhook.
 */
import type { BindingCache, ClusterCaches } from '../../pkg/k8s/index.ts';
import { bindingPodRoutes } from '../../pkg/translate/index.ts';
import type { PodRouteSource } from './pod-routes.ts';

export function bindingRouteSource(
  bindings: Pick<BindingCache, 'list'>,
  caches: Pick<ClusterCaches, 'serviceMap'>,
): PodRouteSource {
  return (namespace) => bindingPodRoutes(namespace, bindings.list(), caches.serviceMap());
}
