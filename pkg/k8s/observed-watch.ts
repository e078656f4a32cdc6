/**
 * A Watch the watchdog can see through. The library's ListWatch reports objects that
 * changed, but not bookmarks, not no-op events and not when a connection ends; the
 * watchdog needs all three to tell a quiet watch from a dead one.
 */
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';

type WatchArgs = Parameters<Watch['watch']>;
export type WatchQuery = WatchArgs[1];
export type WatchCallback = WatchArgs[2];
export type WatchDone = WatchArgs[3];

/** How a connection is opened: the library's `Watch.watch` unless a test wraps it. */
export type WatchConnect = (
  path: string,
  query: WatchQuery,
  callback: WatchCallback,
  done: WatchDone,
) => Promise<AbortController>;

export interface WatchObserver {
  /**
   * Any line on the wire (an object event or a bookmark), before the cache sees it: the
   * place to strip the object in place.
   */
  onEvent(phase: string, object: unknown): void;
  onConnectionEnd(): void;
}

export class ObservedWatch extends Watch {
  readonly #connect: WatchConnect;
  readonly #observer: WatchObserver;
  #open = 0;

  constructor(kc: KubeConfig, observer: WatchObserver, connect?: WatchConnect) {
    super(kc);
    this.#observer = observer;
    this.#connect =
      connect ?? ((path, query, callback, done) => super.watch(path, query, callback, done));
  }

  /** Connections opened and not yet ended. */
  get openConnections(): number {
    return this.#open;
  }

  override watch(
    path: string,
    query: WatchQuery,
    callback: WatchCallback,
    done: WatchDone,
  ): Promise<AbortController> {
    this.#open += 1;
    let ended = false;
    // Bookmarks keep a quiet watch visibly alive and move its resourceVersion forward,
    // so a restart resumes without a re-list.
    const withBookmarks = { ...query, allowWatchBookmarks: true };
    return this.#connect(
      path,
      withBookmarks,
      (phase, object, raw) => {
        this.#observer.onEvent(phase, object);
        callback(phase, object, raw);
      },
      (err) => {
        if (!ended) {
          ended = true;
          this.#open -= 1;
          this.#observer.onConnectionEnd();
        }
        done(err);
      },
    );
  }
}
