/**
 * Events on Ingresses (core/v1, which `kubectl describe` shows). Identical Events on the
 * same object (same type, reason and message) are one Event whose `count` grows, as
 * the Kubernetes event recorder does, so a member that fails every resync does not bury
 * its history under copies. The de-duplication memory is bounded (oldest forgotten);
 * after a restart, or once the API server expired the Event (1 h by default), the next
 * occurrence starts a new one.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Api, CoreV1Event, V1Ingress } from '@kubernetes/client-node';
import { isNotFound } from './api-errors.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** The API server rejects longer messages; we cut first so the end says so. */
const MAX_MESSAGE = 1000;

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`. @default 'albatross' */
  readonly component?: string;
  /** `reportingInstance` (e.g. the pod name). */
  readonly instance?: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** Events remembered for de-duplication. @default 4096 */
  readonly capacity?: number;
}

interface Recorded {
  readonly name: string;
  readonly namespace: string;
  count: number;
}

export function truncateMessage(message: string): string {
  return message.length <= MAX_MESSAGE
    ? message
    : `${message.slice(0, MAX_MESSAGE - 14)} …(truncated)`;
}

/** Any namespaced object an Event can be about; an Ingress when kind is not given. */
export interface EventSubject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly uid?: string;
  };
}

export class EventRecorder {
  readonly #api: CoreV1Api;
  readonly #component: string;
  readonly #instance: string | undefined;
  readonly #now: () => number;
  readonly #capacity: number;
  readonly #recorded = new Map<string, Recorded>();

  constructor(api: CoreV1Api, options: EventRecorderOptions = {}) {
    this.#api = api;
    this.#component = options.component ?? 'albatross';
    this.#instance = options.instance;
    this.#now = options.now ?? Date.now;
    this.#capacity = options.capacity ?? 4096;
  }

  /** Records an Event on `ingress`. Returns `created` or `counted` (an identical one grew). */
  async record(
    ingress: V1Ingress | EventSubject,
    type: EventType,
    reason: string,
    message: string,
  ): Promise<'created' | 'counted'> {
    const text = truncateMessage(message);
    const namespace = ingress.metadata?.namespace ?? 'default';
    const name = ingress.metadata?.name ?? '';
    const uid = ingress.metadata?.uid ?? `${namespace}/${name}`;
    const key = `${uid}\u0000${type}\u0000${reason}\u0000${text}`;
    const now = new Date(this.#now());
    const seen = this.#recorded.get(key);
    if (seen !== undefined) {
      try {
        await this.#api.patchNamespacedEvent(
          {
            name: seen.name,
            namespace: seen.namespace,
            body: { count: seen.count + 1, lastTimestamp: now.toISOString() },
          },
          mergePatch,
        );
        seen.count += 1;
        // Most recently used last, so the oldest is evicted first.
        this.#recorded.delete(key);
        this.#recorded.set(key, seen);
        return 'counted';
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.#recorded.delete(key);
      }
    }
    const body: CoreV1Event = {
      metadata: { generateName: `${name}.`, namespace },
      involvedObject: {
        apiVersion: ingress.apiVersion ?? 'networking.k8s.io/v1',
        kind: ingress.kind ?? 'Ingress',
        name,
        namespace,
        ...(ingress.metadata?.uid !== undefined ? { uid: ingress.metadata.uid } : {}),
      },
      type,
      reason,
      message: text,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.#component },
      reportingComponent: this.#component,
      ...(this.#instance !== undefined ? { reportingInstance: this.#instance } : {}),
    };
    const created = await this.#api.createNamespacedEvent({ namespace, body });
    this.#remember(key, { name: created.metadata.name ?? '', namespace, count: 1 });
    return 'created';
  }

  #remember(key: string, recorded: Recorded): void {
    this.#recorded.set(key, recorded);
    while (this.#recorded.size > this.#capacity) {
      const oldest = this.#recorded.keys().next();
      if (oldest.done === true) break;
      this.#recorded.delete(oldest.value);
    }
  }
}
