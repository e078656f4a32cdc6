/** The Kubernetes side of the controller: watched caches, event → work key mapping, writers. */
export { isConflict, isNotFound, statusCodeOf } from './api-errors.ts';
export {
  stripEndpointSlice,
  stripMetadata,
  stripNamespace,
  stripNode,
  stripService,
} from './strip.ts';
export type { WatchConnect, WatchCallback, WatchDone, WatchQuery } from './observed-watch.ts';
export type { ChangeHandler, ChangeType, InformerOptions } from './informer.ts';
export { Informer } from './informer.ts';
export { CacheView, objectKey } from './cache-view.ts';
export type {
  CachedKind,
  ClusterCachesOptions,
  IngressClassParams,
  RunnableInformer,
} from './cluster-caches.ts';
export { ClusterCaches, INGRESS_CLASS_PARAMS, SERVICE_NAME_LABEL } from './cluster-caches.ts';
export type { WorkItem, WorkKind } from './work-keys.ts';
export {
  TARGETS_KEY_PREFIX,
  groupKeyFromId,
  groupWorkKey,
  parseWorkKey,
  targetsWorkKey,
  workKeyOf,
} from './work-keys.ts';
export { servicesReferencedBy } from './service-references.ts';
export type { MapperSource, TargetUse } from './group-key-mapper.ts';
export { GroupKeyMapper } from './group-key-mapper.ts';
export { wireEvents } from './wire-events.ts';
export { OidcSecrets, SECRET_DIGEST_PREFIX, secretDigest, stripSecret } from './oidc-secrets.ts';
export { DIGEST_KEY_DATA, ensureDigestKey } from './digest-key.ts';
export type { DigestKeyRef } from './digest-key.ts';
export { ReferencedSecrets } from './referenced-secrets.ts';
export type { FinalizerChange } from './finalizers.ts';
export { addFinalizer, removeFinalizer } from './finalizers.ts';
export { statusHostnames, writeIngressStatus } from './status.ts';
export type { EventRecorderOptions, EventSubject, EventType } from './event-recorder.ts';
export { EventRecorder, truncateMessage } from './event-recorder.ts';
export {
  BINDING_FINALIZER,
  BINDING_KEY_PREFIX,
  BindingCache,
  bindingWorkKey,
  parseBindingWorkKey,
  wireBindingEvents,
} from './binding-cache.ts';
export type { BindingCacheOptions, BindingCondition, TargetGroupBinding } from './binding-cache.ts';
export {
  deleteOwnedTargets,
  ownedTargetsName,
  ownedTargetsNameOfTargetGroup,
  readOwnedTargets,
  writeOwnedTargets,
} from './owned-targets.ts';
export type { OwnedTargets } from './owned-targets.ts';
export { GATED_POD_SELECTOR, gatedPodsInformer, stripPod } from './gated-pods.ts';
export type { GatedPodsOptions } from './gated-pods.ts';
