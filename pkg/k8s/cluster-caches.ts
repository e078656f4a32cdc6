/**
 * The informers the controller runs, and read-only views of their caches in the shapes
 * pkg/ingress and pkg/translate take.
 *
 * With `watchNamespace`, Ingresses, Services and EndpointSlices are watched in that
 * namespace only; IngressClasses and Nodes are cluster-scoped and always watched whole.
 * IngressClassParams is watched once its CRD is installed: a 404 on the first list means
 * it is not yet, and the list is tried again every `crdPollMs` until it is, so a CRD
 * installed after the controller started is picked up without a restart (its first adds
 * re-apply the groups of the classes that use params). Meanwhile an Ingress whose class
 * names params is frozen with a problem saying the CRD is missing.
 *
 * Namespaces are watched for their labels only (IngressClassParams `namespaceSelector`).
 * Secrets are never watched whole: only those a group names, each by name, once the
 * reconciler says a group names it (referenced-secrets.ts).
 *
 * The caches own the group index (cached-groups.ts) and feed it from their own informers,
 * so it can never miss an event for want of a subscriber.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  NetworkingV1Api,
} from '@kubernetes/client-node';
import type {
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1Namespace,
  V1Node,
  V1Service,
} from '@kubernetes/client-node';
import type { ClassConfig, ClassParamsInput, IngressGroup } from '../ingress/index.ts';
import { groupKeyOfFinalizer } from '../ingress/index.ts';
import { isNotFound, statusCodeOf } from './api-errors.ts';
import { CacheView, objectKey } from './cache-view.ts';
import { CachedGroups } from './cached-groups.ts';
import type { Clock, TimerHandle } from '../clock/index.ts';
import { systemClock } from '../clock/index.ts';
import type { ChangeHandler, InformerOptions } from './informer.ts';
import { Informer } from './informer.ts';
import type { WatchConnect } from './observed-watch.ts';
import {
  stripEndpointSlice,
  stripMetadata,
  stripNamespace,
  stripNode,
  stripService,
} from './strip.ts';
import { OidcSecrets } from './oidc-secrets.ts';
import { ReferencedSecrets } from './referenced-secrets.ts';

export const INGRESS_CLASS_PARAMS = {
  group: 'elbv2.k8s.aws',
  version: 'v1beta1',
  plural: 'ingressclassparams',
} as const;

/** The label that ties an EndpointSlice to its Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** An IngressClassParams object; its spec is read by whoever needs it. */
export interface IngressClassParams extends KubernetesObject {
  readonly spec?: Readonly<Record<string, unknown>>;
}

export interface ClusterCachesOptions {
  readonly kc: KubeConfig;
  /** The cluster's key of OIDC client-secret digests (ensureDigestKey). */
  readonly digestKey: Uint8Array;
  /** Watch only this namespace's Ingresses, Services and EndpointSlices. */
  readonly watchNamespace?: string;
  /** @default 5 minutes */
  readonly stallTimeoutMs?: number;
  readonly clock?: Clock;
  readonly onRestart?: (kind: string, reason: string) => void;
  /** How often to look for the IngressClassParams CRD while it is missing. @default 30 s */
  readonly crdPollMs?: number;
  /** Tests only: wraps every watch connection. */
  readonly connect?: (kind: string) => WatchConnect | undefined;
}

/** What the manager needs of any informer, whatever it caches. */
export interface RunnableInformer {
  readonly kind: string;
  readonly restarts: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  hasSynced(): boolean;
}

export type CachedKind =
  'Ingress' | 'IngressClass' | 'Service' | 'EndpointSlice' | 'Node' | 'Namespace' | 'Secret';

/** Our finalizers on an Ingress: the marks of our own writes. */
function ownFinalizers(ingress: V1Ingress): readonly string[] {
  return (ingress.metadata?.finalizers ?? []).filter(
    (f) => groupKeyOfFinalizer(ingress, f) !== undefined,
  );
}

/**
 * The Ingress fingerprint leaves out status and our own finalizers: writing either is
 * not news. Anyone else's finalizer and the deletionTimestamp are in it.
 */
function ingressFingerprint(ingress: V1Ingress): unknown {
  const others = (ingress.metadata?.finalizers ?? []).filter(
    (f) => groupKeyOfFinalizer(ingress, f) === undefined,
  );
  const metadata = Object.fromEntries(
    Object.entries(ingress.metadata ?? {}).filter(([key]) => key !== 'finalizers'),
  );
  return { metadata, finalizers: others, spec: ingress.spec };
}

function serviceOfSlice(slice: V1EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name === undefined ? undefined : `${slice.metadata?.namespace ?? ''}/${name}`;
}

export class ClusterCaches {
  readonly ingresses: Informer<V1Ingress>;
  readonly ingressClasses: Informer<V1IngressClass>;
  readonly services: Informer<V1Service>;
  readonly endpointSlices: Informer<V1EndpointSlice>;
  readonly nodes: Informer<V1Node>;
  readonly namespaces: Informer<V1Namespace>;
  /**
   * Only the Secrets groups name, one watch each (referenced-secrets.ts), stripped to the
   * OIDC client keys on arrival (oidc-secrets.ts).
   */
  readonly secrets: ReferencedSecrets;
  /** `undefined` until started, and while the CRD is not installed. */
  ingressClassParams: Informer<IngressClassParams> | undefined;
  readonly #options: ClusterCachesOptions;
  /** Service `namespace/name` → keys of its EndpointSlices. */
  readonly #slicesByService = new Map<string, Set<string>>();
  readonly #paramsHandlers: ChangeHandler<IngressClassParams>[] = [];
  #crdPoll: TimerHandle | undefined;
  #stopped = false;
  readonly #clock: Clock;
  readonly #groups: CachedGroups;

  constructor(options: ClusterCachesOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock({ unref: true });
    const { kc, watchNamespace: ns } = options;
    const core = kc.makeApiClient(CoreV1Api);
    const net = kc.makeApiClient(NetworkingV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const scoped = (group: string, plural: string): string =>
      ns === undefined ? `${group}/${plural}` : `${group}/namespaces/${ns}/${plural}`;

    this.ingresses = this.#informer<V1Ingress>({
      kind: 'Ingress',
      path: scoped('/apis/networking.k8s.io/v1', 'ingresses'),
      list: () =>
        ns === undefined
          ? net.listIngressForAllNamespaces()
          : net.listNamespacedIngress({ namespace: ns }),
      strip: stripMetadata,
      fingerprint: ingressFingerprint,
      marks: ownFinalizers,
    });
    this.ingressClasses = this.#informer<V1IngressClass>({
      kind: 'IngressClass',
      path: '/apis/networking.k8s.io/v1/ingressclasses',
      list: () => net.listIngressClass(),
      strip: stripMetadata,
    });
    this.services = this.#informer<V1Service>({
      kind: 'Service',
      path: scoped('/api/v1', 'services'),
      list: () =>
        ns === undefined
          ? core.listServiceForAllNamespaces()
          : core.listNamespacedService({ namespace: ns }),
      strip: stripService,
    });
    this.endpointSlices = this.#informer<V1EndpointSlice>({
      kind: 'EndpointSlice',
      path: scoped('/apis/discovery.k8s.io/v1', 'endpointslices'),
      list: () =>
        ns === undefined
          ? discovery.listEndpointSliceForAllNamespaces()
          : discovery.listNamespacedEndpointSlice({ namespace: ns }),
      strip: stripEndpointSlice,
    });
    this.nodes = this.#informer<V1Node>({
      kind: 'Node',
      path: '/api/v1/nodes',
      list: () => core.listNode(),
      strip: stripNode,
    });
    this.namespaces = this.#informer<V1Namespace>({
      kind: 'Namespace',
      path: '/api/v1/namespaces',
      list: () => core.listNamespace(),
      strip: stripNamespace,
      fingerprint: (namespace) => namespace.metadata?.labels ?? {},
    });
    const connect = options.connect?.('Secret');
    this.secrets = new ReferencedSecrets({
      kc,
      ...(options.stallTimeoutMs !== undefined ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
      ...(options.clock !== undefined ? { clock: options.clock } : {}),
      ...(options.onRestart !== undefined ? { onRestart: options.onRestart } : {}),
      ...(connect !== undefined ? { connect } : {}),
    });
    this.endpointSlices.onChange((type, slice) => {
      this.#indexSlice(type === 'deleted', slice);
    });
    this.#groups = new CachedGroups({
      ingress: (key) => {
        const slash = key.indexOf('/');
        return this.ingresses.get(key.slice(slash + 1), key.slice(0, slash));
      },
      ingressList: () => this.ingressList(),
      ingressClassMap: () => this.ingressClassMap(),
      classParamsInput: () => this.classParamsInput(),
    });
    this.ingresses.onEveryChange((type, ingress) => {
      this.#groups.ingressChanged(type, ingress);
    });
    const invalidate = (): void => {
      this.#groups.invalidate();
    };
    this.ingressClasses.onEveryChange(invalidate);
    this.namespaces.onEveryChange(invalidate);
  }

  #informer<T extends KubernetesObject>(
    spec: Pick<InformerOptions<T>, 'kind' | 'path' | 'list' | 'strip' | 'fingerprint' | 'marks'>,
  ): Informer<T> {
    const o = this.#options;
    const connect = o.connect?.(spec.kind);
    return new Informer<T>({
      ...spec,
      kc: o.kc,
      ...(o.stallTimeoutMs !== undefined ? { stallTimeoutMs: o.stallTimeoutMs } : {}),
      ...(o.clock !== undefined ? { clock: o.clock } : {}),
      ...(o.onRestart !== undefined ? { onRestart: o.onRestart } : {}),
      ...(connect !== undefined ? { connect } : {}),
    });
  }

  #indexSlice(deleted: boolean, slice: V1EndpointSlice): void {
    const service = serviceOfSlice(slice);
    if (service === undefined) return;
    const key = objectKey(slice);
    let keys = this.#slicesByService.get(service);
    if (deleted) {
      keys?.delete(key);
      if (keys?.size === 0) this.#slicesByService.delete(service);
      return;
    }
    if (keys === undefined) {
      keys = new Set();
      this.#slicesByService.set(service, keys);
    }
    keys.add(key);
  }

  /** Every informer that runs now. */
  all(): RunnableInformer[] {
    const list: RunnableInformer[] = [
      this.ingresses,
      this.ingressClasses,
      this.services,
      this.endpointSlices,
      this.nodes,
      this.namespaces,
    ];
    if (this.ingressClassParams !== undefined) list.push(this.ingressClassParams);
    return list;
  }

  /** Starts every informer (IngressClassParams once its CRD is installed). */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#groups.invalidate();
    await this.#tryParamsInformer();
    await Promise.all(this.all().map((informer) => informer.start()));
  }

  /** Creates the IngressClassParams informer if its CRD exists; else polls for it. */
  async #tryParamsInformer(): Promise<boolean> {
    const custom = this.#options.kc.makeApiClient(CustomObjectsApi);
    const list = (): Promise<KubernetesListObject<IngressClassParams>> =>
      custom.listClusterCustomObject({ ...INGRESS_CLASS_PARAMS });
    try {
      await list();
    } catch (err) {
      // A CRD that was just established answers 429 "storage is (re)initializing" for a
      // moment: not yet there either, only sooner.
      const initializing = statusCodeOf(err) === 429;
      if (!isNotFound(err) && !initializing) throw err;
      this.#pollForCrd(initializing ? 1000 : undefined);
      return false;
    }
    const informer = this.#informer<IngressClassParams>({
      kind: 'IngressClassParams',
      path: `/apis/${INGRESS_CLASS_PARAMS.group}/${INGRESS_CLASS_PARAMS.version}/${INGRESS_CLASS_PARAMS.plural}`,
      list,
      strip: stripMetadata,
    });
    for (const handler of this.#paramsHandlers) informer.onChange(handler);
    informer.onEveryChange(() => {
      this.#groups.invalidate();
    });
    this.ingressClassParams = informer;
    this.#groups.invalidate();
    return true;
  }

  #pollForCrd(afterMs = this.#options.crdPollMs ?? 30_000): void {
    if (this.#stopped) return;
    this.#crdPoll = this.#clock.setTimeout(() => {
      this.#crdPoll = undefined;
      void this.#tryParamsInformer()
        .then(async (found) => {
          if (found && !this.#stopped) await this.ingressClassParams?.start();
        })
        .catch(() => {
          // The API server is unreachable for now; the next poll tries again.
          this.#pollForCrd();
        });
    }, afterMs);
  }

  /** Subscribes to IngressClassParams changes, should its CRD be installed. */
  onIngressClassParamsChange(handler: ChangeHandler<IngressClassParams>): void {
    this.#paramsHandlers.push(handler);
    this.ingressClassParams?.onChange(handler);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#crdPoll !== undefined) this.#clock.clearTimeout(this.#crdPoll);
    this.#crdPoll = undefined;
    await Promise.all([...this.all().map((informer) => informer.stop()), this.secrets.stop()]);
  }

  /** Every running informer has cached a first list. */
  hasSynced(): boolean {
    return this.all().every((informer) => informer.hasSynced());
  }

  /**
   * The group with this id as `groupIngresses` over the cached Ingresses returns it, from
   * the Ingresses of that group alone. `undefined` when the caches have not synced or no
   * Ingress contributes to it: the caller groups in full then.
   */
  groupOf(groupId: string, config: ClassConfig): IngressGroup | undefined {
    if (!this.hasSynced()) return undefined;
    return this.#groups.group(groupId, config);
  }

  ingressList(): readonly V1Ingress[] {
    return this.ingresses.list();
  }

  ingressClassMap(): ReadonlyMap<string, V1IngressClass> {
    return new Map(this.ingressClasses.list().map((c) => [c.metadata?.name ?? '', c]));
  }

  serviceMap(): ReadonlyMap<string, V1Service> {
    return new CacheView(this.services);
  }

  /** EndpointSlices by the `namespace/name` of their Service. */
  endpointSlicesByService(): ReadonlyMap<string, readonly V1EndpointSlice[]> {
    const slices = new CacheView(this.endpointSlices);
    const index = this.#slicesByService;
    const lookup = (service: string): readonly V1EndpointSlice[] | undefined => {
      const keys = index.get(service);
      if (keys === undefined) return undefined;
      return [...keys].flatMap((k) => slices.get(k) ?? []);
    };
    return new SliceView(index, lookup);
  }

  nodeList(): readonly V1Node[] {
    return this.nodes.list();
  }

  /** IngressClassParams specs and Namespace labels, for class params resolution. */
  classParamsInput(): ClassParamsInput {
    const params = this.ingressClassParams;
    const namespaces = this.namespaces;
    return {
      params:
        params === undefined
          ? undefined
          : {
              // An object without a spec is still there: it imposes nothing.
              get: (name: string): unknown => {
                const found = params.get(name);
                return found === undefined ? undefined : (found.spec ?? {});
              },
            },
      namespaceLabels: {
        get: (name: string) => {
          const namespace = namespaces.get(name);
          return namespace === undefined ? undefined : (namespace.metadata?.labels ?? {});
        },
      },
    };
  }

  /**
   * Group `groupId` names exactly these Secrets (`namespace/name`): each is watched by name
   * from now on and read before this resolves; a Secret no group names stops being watched.
   */
  useSecrets(groupId: string, keys: readonly string[]): Promise<void> {
    return this.secrets.use(groupId, keys);
  }

  /** The OIDC client Secrets: digests for translation, values for apply. */
  oidcSecrets(): OidcSecrets {
    return new OidcSecrets(this.secrets, this.#options.digestKey);
  }
}

class SliceView implements ReadonlyMap<string, readonly V1EndpointSlice[]> {
  readonly #index: ReadonlyMap<string, ReadonlySet<string>>;
  readonly #lookup: (service: string) => readonly V1EndpointSlice[] | undefined;

  constructor(
    index: ReadonlyMap<string, ReadonlySet<string>>,
    lookup: (service: string) => readonly V1EndpointSlice[] | undefined,
  ) {
    this.#index = index;
    this.#lookup = lookup;
  }

  get(key: string): readonly V1EndpointSlice[] | undefined {
    return this.#lookup(key);
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  get size(): number {
    return this.#index.size;
  }

  *entries(): MapIterator<[string, readonly V1EndpointSlice[]]> {
    for (const key of this.#index.keys()) yield [key, this.#lookup(key) ?? []];
  }

  *keys(): MapIterator<string> {
    yield* this.#index.keys();
  }

  *values(): MapIterator<readonly V1EndpointSlice[]> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, readonly V1EndpointSlice[]]> {
    return this.entries();
  }

  forEach(
    fn: (
      value: readonly V1EndpointSlice[],
      key: string,
      map: ReadonlyMap<string, readonly V1EndpointSlice[]>,
    ) => void,
  ): void {
    for (const [key, value] of this.entries()) fn(value, key, this);
  }
}
