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
  V1EndpointConditions,
  V1EndpointSlice,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
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

/**
 * Metadata of the kinds read only by name and labels (Nodes, EndpointSlices): identity,
 * labels and the resourceVersion the watch resumes from. Their annotations, owner
 * references and timestamps are never read.
 */
function identityOnly(metadata: V1ObjectMeta | undefined): V1ObjectMeta | undefined {
  if (metadata === undefined) return undefined;
  const { name, namespace, uid, resourceVersion, labels, deletionTimestamp } = metadata;
  return {
    ...(name !== undefined ? { name } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
  };
}

/** Namespaces: only their labels are read (IngressClassParams `namespaceSelector`). */
export function stripNamespace(namespace: V1Namespace): V1Namespace {
  const metadata = identityOnly(namespace.metadata);
  return metadata === undefined ? {} : { metadata };
}

/** Nodes: labels, taints, providerID, the Ready condition (type and status) and addresses. */
export function stripNode(node: V1Node): V1Node {
  const metadata = identityOnly(node.metadata);
  if (metadata !== undefined) node.metadata = metadata;
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
    // status makes those updates no-ops the mappers never see. Only Ready is read
    // (translate's eligibleInstances); the pressure conditions are not.
    const conditions = (status.conditions ?? [])
      .filter((c) => c.type === 'Ready')
      .map((c) => ({ type: c.type, status: c.status }));
    const addresses = status.addresses;
    node.status = addresses === undefined ? { conditions } : { conditions, addresses };
  }
  return node;
}

/** Services: type, ports and selector; what translate reads for backends, and readiness gates. */
export function stripService(service: V1Service): V1Service {
  stripMetadata(service);
  const spec = service.spec;
  if (spec !== undefined) {
    service.spec = {
      ...(spec.type !== undefined ? { type: spec.type } : {}),
      ...(spec.ports !== undefined ? { ports: spec.ports } : {}),
      // Which pods a readiness gate goes to.
      ...(spec.selector !== undefined ? { selector: spec.selector } : {}),
      ...(spec.ipFamilies !== undefined ? { ipFamilies: spec.ipFamilies } : {}),
    };
  }
  // A Service's status (its own load balancer) is never read.
  delete service.status;
  return service;
}

/**
 * The endpoint conditions translate reads (`ready`, for ip targets), as one shared frozen
 * object per value: 20,000 endpoints then hold three objects between them, not 20,000.
 */
const CONDITIONS: Readonly<Record<'true' | 'false' | 'unset', V1EndpointConditions>> = {
  true: Object.freeze({ ready: true }),
  false: Object.freeze({ ready: false }),
  unset: Object.freeze({}),
};

/**
 * EndpointSlices: the Service-name label, address type, ports, and of each endpoint its
 * addresses and readiness. Hostnames, hints, zones, node names and targetRefs are not
 * read (ip targets are registered by address; the zone is AWS's to know).
 */
export function stripEndpointSlice(slice: V1EndpointSlice): V1EndpointSlice {
  const metadata = identityOnly(slice.metadata);
  if (metadata !== undefined) slice.metadata = metadata;
  slice.endpoints = (slice.endpoints ?? []).map((endpoint): V1Endpoint => {
    const ready = endpoint.conditions?.ready;
    return {
      addresses: endpoint.addresses,
      conditions: CONDITIONS[ready === undefined ? 'unset' : ready ? 'true' : 'false'],
    };
  });
  return slice;
}
