/**
 * TargetGroupBindings watched, and every event that can change a binding's targets
 * mapped to the binding keys it touches (`tgb:<namespace>/<name>`):
 *
 * - a binding itself (spec edit, deletion);
 * - its Service (ports, type, NodePort) and the Service's EndpointSlices (ip targets);
 * - any Node (instance targets: readiness, labels for nodeSelector, a node gone).
 *
 * Watched only when the CRD is installed (a 404 on the first list means it is not, and
 * the controller runs without bindings). The Service, EndpointSlice and Node caches are
 * the Ingress controller's (ClusterCaches): one watch per kind for both.
 */
import { CustomObjectsApi } from '@kubernetes/client-node';
import type {
  KubeConfig,
  KubernetesListObject,
  V1EndpointSlice,
  V1Service,
} from '@kubernetes/client-node';
import type { Clock } from '../clock/index.ts';
import {
  boundTargetGroupName,
  parseBindingSpec,
  TARGET_GROUP_BINDING,
} from '../translate/index.ts';
import type { TargetGroupBindingObject } from '../translate/index.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { isNotFound, statusCodeOf } from './api-errors.ts';
import type { ClusterCaches } from './cluster-caches.ts';
import { SERVICE_NAME_LABEL } from './cluster-caches.ts';
import { Informer } from './informer.ts';
import type { ChangeHandler } from './informer.ts';
import { stripMetadata } from './strip.ts';

export const BINDING_KEY_PREFIX = 'tgb:';

/** Our finalizer on a TargetGroupBinding: its targets and rules are cleaned up first. */
export const BINDING_FINALIZER = 'albatross.dev/targetgroupbinding';

export interface TargetGroupBinding extends TargetGroupBindingObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly status?: {
    readonly observedGeneration?: number;
    readonly conditions?: readonly BindingCondition[];
  };
}

export interface BindingCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly observedGeneration?: number;
}

function targetGroupOf(b: TargetGroupBindingObject): string | undefined {
  const spec = parseBindingSpec(b.spec);
  return spec.ok ? boundTargetGroupName(spec.value) : undefined;
}

export function bindingWorkKey(namespace: string, name: string): string {
  return `${BINDING_KEY_PREFIX}${namespace}/${name}`;
}

export function parseBindingWorkKey(key: string): { namespace: string; name: string } | undefined {
  if (!key.startsWith(BINDING_KEY_PREFIX)) return undefined;
  const rest = key.slice(BINDING_KEY_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/** Status is ours and is not news; a deletionTimestamp or finalizer change is. */
function bindingFingerprint(b: TargetGroupBinding): unknown {
  const m = b.metadata ?? {};
  return {
    generation: m.generation,
    deletionTimestamp: m.deletionTimestamp,
    finalizers: m.finalizers,
    spec: b.spec,
  };
}

export interface BindingCacheOptions {
  readonly kc: KubeConfig;
  readonly watchNamespace?: string;
  readonly clock?: Clock;
  readonly onRestart?: (kind: string, reason: string) => void;
}

export class BindingCache {
  /** `undefined` until started, and when the CRD is not installed. */
  informer: Informer<TargetGroupBinding> | undefined;
  readonly #o: BindingCacheOptions;
  readonly #handlers: ChangeHandler<TargetGroupBinding>[] = [];
  /** Whether the CRD is installed is known only once `start` has listed. */
  #started = false;

  constructor(options: BindingCacheOptions) {
    this.#o = options;
  }

  /** Lists once to learn whether the CRD is installed; starts the informer if it is. */
  async start(): Promise<boolean> {
    const custom = this.#o.kc.makeApiClient(CustomObjectsApi);
    const ns = this.#o.watchNamespace;
    const { group, version, plural } = TARGET_GROUP_BINDING;
    const list = (): Promise<KubernetesListObject<TargetGroupBinding>> =>
      ns === undefined
        ? custom.listClusterCustomObject({ group, version, plural })
        : custom.listNamespacedCustomObject({ group, version, namespace: ns, plural });
    try {
      // Just after the CRD is established its storage answers 429 for a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await list();
          break;
        } catch (err) {
          if (statusCodeOf(err) !== 429 || attempt >= 20) throw err;
          await delay(500);
        }
      }
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.#started = true;
      return false;
    }
    this.informer = new Informer<TargetGroupBinding>({
      kind: 'TargetGroupBinding',
      kc: this.#o.kc,
      path:
        ns === undefined
          ? `/apis/${group}/${version}/${plural}`
          : `/apis/${group}/${version}/namespaces/${ns}/${plural}`,
      list,
      strip: stripMetadata,
      fingerprint: bindingFingerprint,
      ...(this.#o.clock !== undefined ? { clock: this.#o.clock } : {}),
      ...(this.#o.onRestart !== undefined ? { onRestart: this.#o.onRestart } : {}),
    });
    for (const handler of this.#handlers) this.informer.onChange(handler);
    await this.informer.start();
    this.#started = true;
    return true;
  }

  /** Subscribes to binding changes (attached when the informer starts). */
  onChange(handler: ChangeHandler<TargetGroupBinding>): void {
    this.#handlers.push(handler);
    this.informer?.onChange(handler);
  }

  async stop(): Promise<void> {
    await this.informer?.stop();
  }

  /** Started and synced, or started and not watched at all (no CRD). */
  hasSynced(): boolean {
    return this.#started && (this.informer?.hasSynced() ?? true);
  }

  get(namespace: string, name: string): TargetGroupBinding | undefined {
    return this.informer?.get(name, namespace);
  }

  list(): readonly TargetGroupBinding[] {
    return this.informer?.list() ?? [];
  }

  keys(): string[] {
    return this.list().flatMap((b) => {
      const { namespace, name } = b.metadata ?? {};
      return namespace === undefined || name === undefined ? [] : [bindingWorkKey(namespace, name)];
    });
  }

  /** Keys of the bindings in `namespace` whose serviceRef names `service`. */
  forService(namespace: string, service: string): string[] {
    return this.list()
      .filter((b) => {
        if (b.metadata?.namespace !== namespace) return false;
        const spec = parseBindingSpec(b.spec);
        return spec.ok && spec.value.serviceRef.name === service;
      })
      .map((b) => bindingWorkKey(namespace, b.metadata?.name ?? ''));
  }

  /** Keys of the bindings naming target group `targetGroup` (by name or in an ARN). */
  forTargetGroup(targetGroup: string): string[] {
    return this.list()
      .filter((b) => targetGroupOf(b) === targetGroup)
      .map((b) => bindingWorkKey(b.metadata?.namespace ?? '', b.metadata?.name ?? ''));
  }

  /** Keys of the bindings that may have instance targets (an unset targetType may). */
  forNodes(): string[] {
    return this.list()
      .filter((b) => {
        const spec = parseBindingSpec(b.spec);
        return spec.ok && spec.value.targetType !== 'ip';
      })
      .map((b) => bindingWorkKey(b.metadata?.namespace ?? '', b.metadata?.name ?? ''));
  }
}

/**
 * Connects the binding cache and the shared caches to the queue. Call before both start:
 * the informers' first lists then enqueue every binding once.
 */
export function wireBindingEvents(
  bindings: BindingCache,
  caches: Pick<ClusterCaches, 'services' | 'endpointSlices' | 'nodes'>,
  enqueue: (key: string) => void,
): void {
  const send = (keys: readonly string[]): void => {
    for (const key of keys) enqueue(key);
  };
  caches.services.onChange((_type, s: V1Service) => {
    send(bindings.forService(s.metadata?.namespace ?? '', s.metadata?.name ?? ''));
  });
  caches.endpointSlices.onChange((_type, slice: V1EndpointSlice) => {
    const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (service !== undefined) send(bindings.forService(slice.metadata?.namespace ?? '', service));
  });
  caches.nodes.onChange(() => {
    send(bindings.forNodes());
  });
  // A binding that came, went or moved decides which binding holds a target group
  // (targetGroupHolder): the others naming the old or the new one are looked at again.
  const named = new Map<string, string>();
  bindings.onChange((type, b) => {
    const { namespace, name } = b.metadata ?? {};
    if (namespace === undefined || name === undefined) return;
    const key = bindingWorkKey(namespace, name);
    enqueue(key);
    const before = named.get(key);
    const now = type === 'deleted' ? undefined : targetGroupOf(b);
    if (now === undefined) named.delete(key);
    else named.set(key, now);
    for (const group of new Set([before, now])) {
      if (group !== undefined) send(bindings.forTargetGroup(group).filter((k) => k !== key));
    }
  });
}
