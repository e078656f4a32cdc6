/**
 * The informers the controller runs, and read-only views of their caches in the shapes
 * pkg/ingress and pkg/translate take.
 *
 * With `watchNamespace`, Ingresses, Services and EndpointSlices are watched in that
 * namespace only; IngressClasses and Nodes are cluster-scoped and always watched whole.
 * IngressClassParams is watched only when its CRD is installed (a 404 on the first list
 * means it is not, and the controller runs without it).
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
  V1Node,
  V1Service,
} from '@kubernetes/client-node';
import { groupKeyOfFinalizer } from '../ingress/index.ts';
import { isNotFound } from './api-errors.ts';
import { CacheView, objectKey } from './cache-view.ts';
import type { Clock } from '../clock/index.ts';
import type { ChangeHandler, InformerOptions } from './informer.ts';
import { Informer } from './informer.ts';
import type { WatchConnect } from './observed-watch.ts';
import { stripEndpointSlice, stripMetadata, stripNode, stripService } from './strip.ts';

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
  /** Watch only this namespace's Ingresses, Services and EndpointSlices. */
  readonly watchNamespace?: string;
  /** @default 5 minutes */
  readonly stallTimeoutMs?: number;
  readonly clock?: Clock;
  readonly onRestart?: (kind: string, reason: string) => void;
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

export type CachedKind = 'Ingress' | 'IngressClass' | 'Service' | 'EndpointSlice' | 'Node';

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
  /** `undefined` until started, and when the CRD is not installed. */
  ingressClassParams: Informer<IngressClassParams> | undefined;
  readonly #options: ClusterCachesOptions;
  /** Service `namespace/name` → keys of its EndpointSlices. */
  readonly #slicesByService = new Map<string, Set<string>>();
  readonly #paramsHandlers: ChangeHandler<IngressClassParams>[] = [];

  constructor(options: ClusterCachesOptions) {
    this.#options = options;
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
    this.endpointSlices.onChange((type, slice) => {
      this.#indexSlice(type === 'deleted', slice);
    });
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
    ];
    if (this.ingressClassParams !== undefined) list.push(this.ingressClassParams);
    return list;
  }

  /** Starts every informer (IngressClassParams only if its CRD is installed). */
  async start(): Promise<void> {
    const custom = this.#options.kc.makeApiClient(CustomObjectsApi);
    const list = (): Promise<KubernetesListObject<IngressClassParams>> =>
      custom.listClusterCustomObject({ ...INGRESS_CLASS_PARAMS });
    try {
      await list();
      this.ingressClassParams = this.#informer<IngressClassParams>({
        kind: 'IngressClassParams',
        path: `/apis/${INGRESS_CLASS_PARAMS.group}/${INGRESS_CLASS_PARAMS.version}/${INGRESS_CLASS_PARAMS.plural}`,
        list,
        strip: stripMetadata,
      });
      for (const handler of this.#paramsHandlers) this.ingressClassParams.onChange(handler);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    await Promise.all(this.all().map((informer) => informer.start()));
  }

  /** Subscribes to IngressClassParams changes, should its CRD be installed. */
  onIngressClassParamsChange(handler: ChangeHandler<IngressClassParams>): void {
    this.#paramsHandlers.push(handler);
    this.ingressClassParams?.onChange(handler);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((informer) => informer.stop()));
  }

  /** Every running informer has cached a first list. */
  hasSynced(): boolean {
    return this.all().every((informer) => informer.hasSynced());
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
