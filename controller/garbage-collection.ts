/**
 * Garbage collection as a queue key (`collect-garbage:`, see plug.ts): it only finds the
 * stacks of this cluster whose group no longer exists and enqueues each one's group key.
 * Each orphan is then reconciled by its own key, as an empty group, which deletes it.
 *
 * Why not delete them here: a deletion run beside the queue could reconcile a group while
 * a worker holds that group's own key (the queue guarantees one worker per key only for
 * keys it hands out), and one failing orphan would abort the rest of the sweep. Through
 * the queue, each orphan is de-duplicated with its group's events, backs off on its own,
 * and never stops the others.
 */
import type { HandledResult } from './handle-result.ts';
import type { Logger } from './log.ts';
import { processWith } from './manager.ts';

/** What the sweep reads (the Reconciler satisfies it). */
export interface OrphanSource {
  /** Group work keys of this cluster's stacks in AWS whose group is gone. */
  orphanKeys(signal: AbortSignal): Promise<string[]>;
}

export function garbageCollection(
  source: OrphanSource,
  enqueue: (key: string) => void,
  log: Logger,
): (key: string, signal: AbortSignal) => Promise<HandledResult> {
  return processWith(async (_key, signal) => {
    const orphans = await source.orphanKeys(signal);
    for (const key of orphans) enqueue(key);
    if (orphans.length > 0) log.info('queued the stacks of deleted groups', { orphans });
    return { changesApplied: 0 };
  }, log);
}
