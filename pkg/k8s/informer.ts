/**
 * One watched, cached kind with a watchdog.
 *
 * Built on the library's ListWatch (what `makeInformer` returns; constructed directly so
 * that its Watch is one we can observe). The library re-lists on 410 Gone and reconnects
 * after a clean close or a client-side timeout, but after any other error (the API
 * server unreachable, a 5xx, a list that failed) it reports the error and stops for good.
 * The watchdog restarts it then, with back-off, and also when nothing at all (no event,
 * no bookmark, no reconnect) has been seen for `stallTimeoutMs`: a half-open connection
 * looks exactly like that. A restart resumes from the last resourceVersion when it can
 * and re-lists otherwise; a re-list re-emits every object, which is harmless because
 * reconcile is level-triggered.
 *
 * Subscribers hear about an object only when what we keep of it changed (see
 * `fingerprint`): a Node heartbeat or our own status write is not news. Nor is the echo
 * of our own finalizer write (see `marks`): were it news, every new Ingress would be
 * reconciled twice, the second time for nothing.
 */
import { createHash } from 'node:crypto';
import { ListWatch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { systemClock, type Clock, type TimerHandle } from '../clock/index.ts';
import type { WatchConnect } from './observed-watch.ts';
import { ObservedWatch } from './observed-watch.ts';

export type ChangeType = 'added' | 'updated' | 'deleted';
export type ChangeHandler<T> = (type: ChangeType, object: T) => void;

export interface InformerOptions<T extends KubernetesObject> {
  /** For logs and metrics: `Ingress`, `Node`, … */
  readonly kind: string;
  readonly kc: KubeConfig;
  /** The watch path, e.g. `/apis/networking.k8s.io/v1/namespaces/ns/ingresses`. */
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** Removes in place what we never read, before the object is cached. */
  readonly strip: (object: T) => T;
  /** What counts as a change for subscribers. @default the object without resourceVersion */
  readonly fingerprint?: (object: T) => unknown;
  /**
   * Marks our own writes put on an object (our finalizers), which `fingerprint` must
   * leave out. An update that only adds marks is the echo of our write and not news; one
   * that removes a mark is (someone else may have stripped it, and it must be put back).
   * @default none
   */
  readonly marks?: (object: T) => readonly string[];
  /** Watch only objects with these labels (the `list` function must apply it too). */
  readonly labelSelector?: string;
  /** Watch only objects these fields select (the `list` function must apply it too). */
  readonly fieldSelector?: string;
  /** @default 5 minutes */
  readonly stallTimeoutMs?: number;
  /** First delay after an error, doubled per consecutive error. @default 1000 */
  readonly errorBackoffMs?: number;
  /** @default 30000 */
  readonly maxErrorBackoffMs?: number;
  readonly clock?: Clock;
  /** Tests wrap the connection to break it on purpose. */
  readonly connect?: WatchConnect;
  /** Told about every restart and why, for the log. */
  readonly onRestart?: (kind: string, reason: string) => void;
}

function defaultFingerprint(object: KubernetesObject): unknown {
  return object;
}

/** resourceVersion changes on every write, even one that changed nothing we keep. */
function digest(value: unknown): string {
  const json = JSON.stringify(value, (key, field: unknown) =>
    key === 'resourceVersion' ? undefined : field,
  );
  return createHash('sha1').update(json).digest('base64');
}

/** What the informer remembers of an object to tell news from echoes. */
interface Seen {
  readonly digest: string;
  readonly marks: readonly string[];
}

const NO_MARKS: readonly string[] = [];

/** Unchanged, or changed only by marks being added: nothing a subscriber must hear. */
function isEcho(before: Seen | undefined, now: Seen): boolean {
  if (before?.digest !== now.digest) return false;
  return before.marks.every((mark) => now.marks.includes(mark));
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

export class Informer<T extends KubernetesObject> {
  readonly kind: string;
  readonly #options: InformerOptions<T>;
  readonly #clock: Clock;
  readonly #watch: ObservedWatch;
  readonly #listWatch: ListWatch<T>;
  readonly #handlers: ChangeHandler<T>[] = [];
  readonly #mirrors: ChangeHandler<T>[] = [];
  readonly #fingerprints = new Map<string, Seen>();
  readonly #stallTimeoutMs: number;
  #synced = false;
  #running = false;
  #restarting = false;
  #lastActivity = 0;
  #consecutiveErrors = 0;
  #restarts = 0;
  #stallTimer: TimerHandle | undefined;
  #errorTimer: TimerHandle | undefined;

  constructor(options: InformerOptions<T>) {
    this.kind = options.kind;
    this.#options = options;
    this.#clock = options.clock ?? systemClock({ unref: true });
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 5 * 60_000;
    this.#watch = new ObservedWatch(
      options.kc,
      {
        onEvent: (phase, object) => {
          this.#lastActivity = this.#clock.now();
          this.#consecutiveErrors = 0;
          if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED') {
            options.strip(object as T);
          }
        },
        onConnectionEnd: () => undefined,
      },
      options.connect,
    );
    const list = async (): Promise<KubernetesListObject<T>> => {
      const result = await options.list();
      for (const item of result.items) options.strip(item);
      this.#synced = true;
      this.#consecutiveErrors = 0;
      this.#lastActivity = this.#clock.now();
      return result;
    };
    this.#listWatch = new ListWatch<T>(
      options.path,
      this.#watch,
      list,
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    this.#listWatch.on('add', (o) => {
      this.#notify('added', o);
    });
    this.#listWatch.on('update', (o) => {
      this.#notify('updated', o);
    });
    this.#listWatch.on('delete', (o) => {
      this.#notify('deleted', o);
    });
    this.#listWatch.on('connect', () => {
      this.#lastActivity = this.#clock.now();
    });
    this.#listWatch.on('error', (err: unknown) => {
      this.#onError(err);
    });
  }

  /** Starts listing and watching; resolves once the first list and watch are under way. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#lastActivity = this.#clock.now();
    this.#scheduleStallCheck();
    await this.#listWatch.start();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#stallTimer !== undefined) this.#clock.clearTimeout(this.#stallTimer);
    if (this.#errorTimer !== undefined) this.#clock.clearTimeout(this.#errorTimer);
    this.#stallTimer = undefined;
    this.#errorTimer = undefined;
    await this.#listWatch.stop();
  }

  /** True once a first list has been cached. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** How many times the watchdog restarted this informer. */
  get restarts(): number {
    return this.#restarts;
  }

  onChange(handler: ChangeHandler<T>): void {
    this.#handlers.push(handler);
  }

  /**
   * Every change the cache takes, echoes included: for indexes that must mirror the
   * cache exactly (an echo still changes the object cached, its finalizers included).
   */
  onEveryChange(handler: ChangeHandler<T>): void {
    this.#mirrors.push(handler);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#listWatch.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.#listWatch.list(namespace);
  }

  /** Re-read after an await: stop() may have run meanwhile. */
  #isRunning(): boolean {
    return this.#running;
  }

  #notify(type: ChangeType, object: T): void {
    for (const mirror of this.#mirrors) mirror(type, object);
    const key = keyOf(object);
    if (type === 'deleted') {
      this.#fingerprints.delete(key);
    } else {
      const marks = this.#options.marks?.(object) ?? NO_MARKS;
      const seen: Seen = {
        digest: digest((this.#options.fingerprint ?? defaultFingerprint)(object)),
        marks: marks.length === 0 ? NO_MARKS : marks,
      };
      const echo = isEcho(this.#fingerprints.get(key), seen);
      this.#fingerprints.set(key, seen);
      if (echo) return;
    }
    for (const handler of this.#handlers) handler(type, object);
  }

  #onError(err: unknown): void {
    // Our own stop() aborts the connection, which the library reports as an error.
    if (!this.#running || this.#restarting) return;
    const base = this.#options.errorBackoffMs ?? 1000;
    const max = this.#options.maxErrorBackoffMs ?? 30_000;
    const delay = Math.min(base * 2 ** this.#consecutiveErrors, max);
    this.#consecutiveErrors += 1;
    if (this.#errorTimer !== undefined) this.#clock.clearTimeout(this.#errorTimer);
    const message = err instanceof Error ? err.message : String(err);
    this.#errorTimer = this.#clock.setTimeout(() => {
      this.#errorTimer = undefined;
      void this.#restart(`watch error: ${message}`);
    }, delay);
  }

  #scheduleStallCheck(): void {
    if (!this.#running) return;
    const every = Math.max(10, Math.min(this.#stallTimeoutMs / 4, 30_000));
    this.#stallTimer = this.#clock.setTimeout(() => {
      this.#stallTimer = undefined;
      const silentFor = this.#clock.now() - this.#lastActivity;
      if (silentFor >= this.#stallTimeoutMs && this.#errorTimer === undefined) {
        void this.#restart(`no event for ${String(silentFor)} ms`);
      }
      this.#scheduleStallCheck();
    }, every);
  }

  async #restart(reason: string): Promise<void> {
    if (!this.#running || this.#restarting) return;
    this.#restarting = true;
    try {
      this.#options.onRestart?.(this.kind, reason);
      await this.#listWatch.stop();
      // The aborted connection reports its end asynchronously; let it, so its error is
      // still counted as ours and not as the new connection's.
      for (let i = 0; i < 50 && this.#watch.openConnections > 0; i++) {
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, 20));
      }
    } finally {
      this.#restarting = false;
    }
    if (!this.#isRunning()) return;
    this.#restarts += 1;
    this.#lastActivity = this.#clock.now();
    await this.#listWatch.start();
  }
}
