/**
 * Every watch event → the work keys (see work-keys.ts) of the groups it can change.
 *
 * - Ingress: the group it is active in now, the groups its finalizers bind it to, and
 *   the group it was in before (an Ingress that moved, or left our class, must be
 *   removed from its old ALB even if it never got the finalizer there).
 * - IngressClass: every group with an Ingress that names that class, or names none (the
 *   default class may have changed).
 * - IngressClassParams: every group with an Ingress of a class that uses those params.
 * - Namespace (its labels changed): every group with an Ingress of that namespace whose
 *   class uses params (a `namespaceSelector` may now select it, or no longer).
 * - Service: every group with an Ingress that routes to it (paths, default backend,
 *   `actions.*` forwards naming it): a full reconcile, the port or annotations may change.
 * - EndpointSlice: `targets:` keys of the groups routing to its Service — only those that
 *   register that Service by ip, once the reconciler told us (`recordTargetUse`).
 * - Node: `targets:` keys of the groups that register instances.
 * - Secret: every group whose members name it in `auth-idp-oidc`, once the reconciler
 *   told us (`recordSecretUse`): a rotated client secret is re-applied.
 *
 * The indexes hold keys only, never objects, so they cost a few strings per Ingress.
 */
import type {
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1Namespace,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import type { ClassConfig, ClassParamsInput } from '../ingress/index.ts';
import {
  ingressClassOf,
  LEGACY_CLASS_ANNOTATION,
  namespaceOf,
  paramsNameOf,
  finalizerGroupKeys,
  groupIdOf,
  groupKeysTouchedBy,
  ingressKeyOf,
} from '../ingress/index.ts';
import type { IngressClassParams } from './cluster-caches.ts';
import { SERVICE_NAME_LABEL } from './cluster-caches.ts';
import type { ChangeType } from './informer.ts';
import { servicesReferencedBy } from './service-references.ts';
import { groupWorkKey, targetsWorkKey } from './work-keys.ts';

export interface MapperSource {
  ingressList(): readonly V1Ingress[];
  ingressClassMap(): ReadonlyMap<string, V1IngressClass>;
  /** Params and namespace labels; without it, params' `group.name` is not seen. */
  classParamsInput?(): ClassParamsInput;
}

/** How a group registers targets, as its last built stack said. */
export interface TargetUse {
  /** Some target group registers instances (Node changes matter). */
  readonly instance: boolean;
  /** `namespace/name` of the Services registered by ip (their EndpointSlices matter). */
  readonly ipServices: readonly string[];
}

function addTo(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (set === undefined) {
    set = new Set();
    index.set(key, set);
  }
  set.add(value);
}

function removeFrom(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  set?.delete(value);
  if (set?.size === 0) index.delete(key);
}

export class GroupKeyMapper {
  readonly #source: MapperSource;
  readonly #config: ClassConfig;
  /** Ingress → the group ids it was last seen in. */
  readonly #groupsOfIngress = new Map<string, readonly string[]>();
  /** Ingress → the Services it routes to. */
  readonly #servicesOfIngress = new Map<string, readonly string[]>();
  /** Service → the Ingresses routing to it. */
  readonly #ingressesOfService = new Map<string, Set<string>>();
  readonly #targetUse = new Map<string, TargetUse>();
  /** Group → the Secrets (`namespace/name`) its members name for OIDC. */
  readonly #secretUse = new Map<string, readonly string[]>();

  constructor(source: MapperSource, config: ClassConfig) {
    this.#source = source;
    this.#config = config;
  }

  ingressChanged(type: ChangeType, ingress: V1Ingress): string[] {
    const key = ingressKeyOf(ingress);
    const before = this.#groupsOfIngress.get(key) ?? [];
    const now =
      type === 'deleted'
        ? []
        : groupKeysTouchedBy(
            ingress,
            this.#source.ingressClassMap(),
            this.#config,
            this.#source.classParamsInput?.(),
          ).map(groupIdOf);
    // A deleted object's finalizers still name groups whose ALB held it.
    const finalizerGroups = type === 'deleted' ? finalizerGroupKeys(ingress).map(groupIdOf) : [];
    this.#indexServices(key, type === 'deleted' ? [] : servicesReferencedBy(ingress));
    if (type === 'deleted') this.#groupsOfIngress.delete(key);
    else this.#groupsOfIngress.set(key, now);
    return unique([...before, ...now, ...finalizerGroups]).map(groupWorkKey);
  }

  ingressClassChanged(_type: ChangeType, ingressClass: V1IngressClass): string[] {
    const name = ingressClass.metadata?.name ?? '';
    const affected = this.#source.ingressList().filter((ingress) => {
      if (ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] !== undefined) return false;
      const named = ingress.spec?.ingressClassName;
      return named === undefined || named === '' || named === name;
    });
    return unique(affected.flatMap((ingress) => this.ingressChanged('updated', ingress)));
  }

  ingressClassParamsChanged(_type: ChangeType, params: IngressClassParams): string[] {
    const name = params.metadata?.name ?? '';
    const classes = [...this.#source.ingressClassMap().values()].filter(
      (c) => c.spec?.parameters?.kind === 'IngressClassParams' && c.spec.parameters.name === name,
    );
    return unique(classes.flatMap((c) => this.ingressClassChanged('updated', c)));
  }

  namespaceChanged(_type: ChangeType, namespace: V1Namespace): string[] {
    const name = namespace.metadata?.name ?? '';
    const classes = this.#source.ingressClassMap();
    const affected = this.#source
      .ingressList()
      .filter(
        (ingress) =>
          namespaceOf(ingress) === name &&
          paramsNameOf(ingressClassOf(ingress, classes)) !== undefined,
      );
    return unique(affected.flatMap((ingress) => this.ingressChanged('updated', ingress)));
  }

  serviceChanged(_type: ChangeType, service: V1Service): string[] {
    const key = `${service.metadata?.namespace ?? ''}/${service.metadata?.name ?? ''}`;
    return this.#groupsRoutingTo(key).map(groupWorkKey);
  }

  endpointSliceChanged(_type: ChangeType, slice: V1EndpointSlice): string[] {
    const serviceName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (serviceName === undefined) return [];
    return this.serviceTargetsChanged(`${slice.metadata?.namespace ?? ''}/${serviceName}`);
  }

  /** The targets of a Service (`namespace/name`) changed: e.g. a gated pod's containers are ready. */
  serviceTargetsChanged(service: string): string[] {
    return this.#groupsRoutingTo(service)
      .filter((group) => {
        const use = this.#targetUse.get(group);
        return use === undefined || use.ipServices.includes(service);
      })
      .map(targetsWorkKey);
  }

  nodeChanged(): string[] {
    return [...this.#targetUse.entries()]
      .filter(([, use]) => use.instance)
      .map(([group]) => targetsWorkKey(group))
      .sort();
  }

  /** Called by the reconciler after each build, so slice and node events go where they matter. */
  recordTargetUse(groupId: string, use: TargetUse): void {
    this.#targetUse.set(groupId, use);
  }

  secretChanged(_type: ChangeType, secret: V1Secret): string[] {
    const key = `${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`;
    return [...this.#secretUse.entries()]
      .filter(([, secrets]) => secrets.includes(key))
      .map(([group]) => groupWorkKey(group))
      .sort();
  }

  /** Called by the reconciler after each build: the Secrets the group reads. */
  recordSecretUse(groupId: string, secrets: readonly string[]): void {
    if (secrets.length === 0) this.#secretUse.delete(groupId);
    else this.#secretUse.set(groupId, secrets);
  }

  /** The group is gone (its stack deleted): no more target work for it. */
  forgetGroup(groupId: string): void {
    this.#targetUse.delete(groupId);
    this.#secretUse.delete(groupId);
  }

  /** Every group some Ingress is in or bound to, for the periodic resync. */
  knownGroupIds(): string[] {
    return unique([...this.#groupsOfIngress.values()].flat());
  }

  #groupsRoutingTo(service: string): string[] {
    const ingresses = this.#ingressesOfService.get(service) ?? new Set<string>();
    return unique([...ingresses].flatMap((ingress) => this.#groupsOfIngress.get(ingress) ?? []));
  }

  #indexServices(ingress: string, services: readonly string[]): void {
    for (const old of this.#servicesOfIngress.get(ingress) ?? []) {
      removeFrom(this.#ingressesOfService, old, ingress);
    }
    if (services.length === 0) this.#servicesOfIngress.delete(ingress);
    else this.#servicesOfIngress.set(ingress, services);
    for (const service of services) addTo(this.#ingressesOfService, service, ingress);
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
