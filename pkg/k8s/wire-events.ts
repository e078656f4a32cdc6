/**
 * Connects the caches to the work queue through the mapper. Call before the caches
 * start, so the first list's adds build the mapper's indexes.
 */
import type { ClusterCaches } from './cluster-caches.ts';
import type { GroupKeyMapper } from './group-key-mapper.ts';

export function wireEvents(
  caches: ClusterCaches,
  mapper: GroupKeyMapper,
  enqueue: (workKey: string) => void,
): void {
  const send = (keys: readonly string[]): void => {
    for (const key of keys) enqueue(key);
  };
  caches.ingresses.onChange((type, o) => {
    send(mapper.ingressChanged(type, o));
  });
  caches.ingressClasses.onChange((type, o) => {
    send(mapper.ingressClassChanged(type, o));
  });
  caches.onIngressClassParamsChange((type, o) => {
    send(mapper.ingressClassParamsChanged(type, o));
  });
  caches.namespaces.onChange((type, o) => {
    send(mapper.namespaceChanged(type, o));
  });
  caches.services.onChange((type, o) => {
    send(mapper.serviceChanged(type, o));
  });
  caches.endpointSlices.onChange((type, o) => {
    send(mapper.endpointSliceChanged(type, o));
  });
  caches.secrets.onChange((type, o) => {
    send(mapper.secretChanged(type, o));
  });
  caches.nodes.onChange(() => {
    send(mapper.nodeChanged());
  });
}
