/**
 * The Secrets some IngressGroup names in `auth-idp-oidc`, and only those: one watch per
 * referenced Secret, `GET /api/v1/namespaces/<ns>/secrets?fieldSelector=metadata.name=<name>`
 * (list, then watch), started when a group first names it and stopped when no group
 * names it any more. No other Secret of the cluster is ever listed, watched or read, so
 * a cluster full of Helm release Secrets costs nothing (docs/decisions/0011).
 *
 * The reconciler declares a group's references before it builds the group
 * ({@link ReferencedSecrets.use}), which waits for the first list of each new watch: the
 * build then sees the Secret as it is, or its absence, never a cache still filling.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import type { Clock } from '../clock/index.ts';
import type { CacheSource } from './cache-view.ts';
import type { ChangeHandler } from './informer.ts';
import { Informer } from './informer.ts';
import type { WatchConnect } from './observed-watch.ts';
import { stripSecret } from './oidc-secrets.ts';

export interface ReferencedSecretsOptions {
  readonly kc: KubeConfig;
  /** @default 5 minutes */
  readonly stallTimeoutMs?: number;
  readonly clock?: Clock;
  readonly onRestart?: (kind: string, reason: string) => void;
  /** Tests only: wraps every watch connection. */
  readonly connect?: WatchConnect;
}

interface Watch {
  readonly informer: Informer<V1Secret>;
  readonly started: Promise<void>;
  /** Why the first list failed, for the reconcile's error (a 403 names the Secret). */
  failure?: string;
}

function split(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

export class ReferencedSecrets implements CacheSource<V1Secret> {
  readonly #o: ReferencedSecretsOptions;
  readonly #core: CoreV1Api;
  /** Secret `namespace/name` → its watch, and the start of it (its first list). */
  readonly #watches = new Map<string, Watch>();
  /** Owner (a group id) → the Secrets it names. */
  readonly #users = new Map<string, readonly string[]>();
  readonly #handlers: ChangeHandler<V1Secret>[] = [];

  constructor(options: ReferencedSecretsOptions) {
    this.#o = options;
    this.#core = options.kc.makeApiClient(CoreV1Api);
  }

  /**
   * `owner` names exactly `keys` (`namespace/name`) from now on: their watches are started
   * (and their first list awaited), and those no owner names any more are stopped.
   */
  async use(owner: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) this.#users.delete(owner);
    else this.#users.set(owner, [...keys]);
    await this.#settle();
    // Another worker may have started one of them: its first list is awaited as well.
    await Promise.all(keys.flatMap((k) => this.#watches.get(k)?.started ?? []));
    const unread = keys.filter((k) => this.#watches.get(k)?.informer.hasSynced() !== true);
    if (unread.length > 0) {
      const why = unread.map((k) => this.#watches.get(k)?.failure).find((f) => f !== undefined);
      throw new Error(
        `the OIDC Secret ${unread.join(', ')} could not be read yet${why === undefined ? '' : ` (${why})`}; retrying`,
      );
    }
  }

  /** `owner` names no Secret any more. */
  async release(owner: string): Promise<void> {
    if (!this.#users.delete(owner)) return;
    await this.#settle();
  }

  async #settle(): Promise<void> {
    const wanted = new Set([...this.#users.values()].flat());
    const stops: Promise<void>[] = [];
    for (const [key, watch] of this.#watches) {
      if (wanted.has(key)) continue;
      this.#watches.delete(key);
      stops.push(watch.informer.stop());
    }
    for (const key of wanted) {
      if (this.#watches.has(key)) continue;
      const informer = this.#watch(key);
      // A failed first list is retried by the informer's own back-off; `use` says so.
      const watch: Watch = {
        informer,
        started: informer.start().catch((err: unknown) => {
          watch.failure = err instanceof Error ? err.message : String(err);
        }),
      };
      this.#watches.set(key, watch);
    }
    await Promise.all(stops);
  }

  #watch(key: string): Informer<V1Secret> {
    const { namespace, name } = split(key);
    const fieldSelector = `metadata.name=${name}`;
    const o = this.#o;
    const watch = new Informer<V1Secret>({
      kind: 'Secret',
      kc: o.kc,
      path: `/api/v1/namespaces/${namespace}/secrets`,
      list: () => this.#core.listNamespacedSecret({ namespace, fieldSelector }),
      fieldSelector,
      strip: stripSecret,
      ...(o.stallTimeoutMs !== undefined ? { stallTimeoutMs: o.stallTimeoutMs } : {}),
      ...(o.clock !== undefined ? { clock: o.clock } : {}),
      ...(o.onRestart !== undefined ? { onRestart: o.onRestart } : {}),
      ...(o.connect !== undefined ? { connect: o.connect } : {}),
    });
    for (const handler of this.#handlers) watch.onChange(handler);
    return watch;
  }

  /** Subscribes to changes of every referenced Secret, watched now or later. */
  onChange(handler: ChangeHandler<V1Secret>): void {
    this.#handlers.push(handler);
    for (const watch of this.#watches.values()) watch.informer.onChange(handler);
  }

  /** The Secrets watched now (`namespace/name`, sorted). */
  watched(): string[] {
    return [...this.#watches.keys()].sort();
  }

  get(name: string, namespace?: string): V1Secret | undefined {
    return this.#watches.get(`${namespace ?? ''}/${name}`)?.informer.get(name, namespace);
  }

  list(): readonly V1Secret[] {
    return [...this.#watches.values()].flatMap((w) => w.informer.list());
  }

  async stop(): Promise<void> {
    const all = [...this.#watches.values()];
    this.#watches.clear();
    this.#users.clear();
    await Promise.all(all.map((w) => w.informer.stop()));
  }
}
