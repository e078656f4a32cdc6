/**
 * What the caches keep of each object. Lists and watches deliver whole objects and the
 * informer caches them as they come, so every byte we never read is held for the life of
 * the process: managedFields alone is often half an object, and a Node's image list is
 * kilobytes. Stripping happens before an object enters the cache, in place (the object
 * was just parsed and nobody else holds it).
 *
 * Kept: what pkg/ingress, pkg/translate and the mappers read. Removing a field here that
 * one of them reads makes it silently `undefined` in the controller: add it back here.
 */
import type {
  KubernetesObject,
  V1Endpoint,
  V1EndpointSlice,
  V1Node,
  V1Service,
} from '@kubernetes/client-node';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata common to every kind: no managedFields, no last-applied copy of the object. */
export function stripMetadata<T extends KubernetesObject>(object: T): T {
  const metadata = object.metadata;
  if (metadata === undefined) return object;
  delete metadata.managedFields;
  const annotations = metadata.annotations;
  if (annotations !== undefined && Object.hasOwn(annotations, LAST_APPLIED)) {
    const kept = Object.entries(annotations).filter(([key]) => key !== LAST_APPLIED);
    if (kept.length === 0) delete metadata.annotations;
    else metadata.annotations = Object.fromEntries(kept);
  }
  return object;
}

/** Nodes: labels, taints, providerID, Ready-ish conditions (type and status) and addresses. */
export function stripNode(node: V1Node): V1Node {
  stripMetadata(node);
  const spec = node.spec;
  if (spec !== undefined) {
    node.spec = {
      ...(spec.providerID !== undefined ? { providerID: spec.providerID } : {}),
      ...(spec.taints !== undefined ? { taints: spec.taints } : {}),
      ...(spec.unschedulable !== undefined ? { unschedulable: spec.unschedulable } : {}),
    };
  }
  const status = node.status;
  if (status !== undefined) {
    // Heartbeat times change every few minutes on every Node; keeping only type and
    // status makes those updates no-ops the mappers never see.
    const conditions = (status.conditions ?? []).map((c) => ({ type: c.type, status: c.status }));
    const addresses = status.addresses;
    node.status = addresses === undefined ? { conditions } : { conditions, addresses };
  }
  return node;
}

/** Services: type, ports, selector-free; what translate reads for backends. */
export function stripService(service: V1Service): V1Service {
  stripMetadata(service);
  const spec = service.spec;
  if (spec !== undefined) {
    service.spec = {
      ...(spec.type !== undefined ? { type: spec.type } : {}),
      ...(spec.ports !== undefined ? { ports: spec.ports } : {}),
      ...(spec.ipFamilies !== undefined ? { ipFamilies: spec.ipFamilies } : {}),
    };
  }
  // A Service's status (its own load balancer) is never read.
  delete service.status;
  return service;
}

/** EndpointSlices: addresses, readiness, ports; hints, hostnames and zones go. */
export function stripEndpointSlice(slice: V1EndpointSlice): V1EndpointSlice {
  stripMetadata(slice);
  slice.endpoints = (slice.endpoints ?? []).map((endpoint) => {
    const kept: V1Endpoint = { addresses: endpoint.addresses };
    if (endpoint.conditions !== undefined) kept.conditions = endpoint.conditions;
    if (endpoint.targetRef !== undefined) {
      const { kind, name, namespace } = endpoint.targetRef;
      kept.targetRef = {
        ...(kind !== undefined ? { kind } : {}),
        ...(name !== undefined ? { name } : {}),
        ...(namespace !== undefined ? { namespace } : {}),
      };
    }
    if (endpoint.nodeName !== undefined) kept.nodeName = endpoint.nodeName;
    return kept;
  });
  return slice;
}
