/**
 * Steady-state discovery: what each group's stack looked like after its last reconcile
 * that planned nothing, so that reconciling it again with nothing changed costs a cheap
 * check (verify-stack.ts: 1 + L reads) instead of a full discovery (12–16 reads for a
 * one-listener group).
 *
 * The trade-off. A full discovery reads everything the planner compares; the check reads
 * only what is most likely to be changed or deleted by hand (the load balancer, target
 * groups, their tags, listeners' existence and our rules). So:
 *
 * - A change in the cluster is always applied at once: the entry is keyed by a
 *   fingerprint of the desired stack, so any input that changes what we want (an
 *   Ingress, a Service, a Node, an endpoint, a subnet) misses the entry and discovers in
 *   full.
 * - Drift the check sees (a deleted ALB, target group, listener or rule, an edited rule)
 *   is repaired at the next reconcile of the group, resync included.
 * - Drift it does not see (attributes, listener settings, security group rules, targets
 *   deregistered by hand) is repaired by the first reconcile once
 *   `fullDiscoveryIntervalMs` has passed since the last full discovery. That reconcile
 *   does not wait for a resync (which would stretch the bound to interval + sync period,
 *   30–35 h with the defaults): each group reconcile asks to be requeued when its full
 *   discovery falls due (`fullDueInMs`), so drift is repaired at the latest one interval
 *   after the edit, whatever the sync period.
 * - After an apply that succeeded in full, the stack as the apply left it is kept
 *   (settleApplied; see applied-stack.ts), so a new or edited group costs its writes and
 *   one cheap check, not a second full discovery. After a failure, an apply whose result
 *   is in doubt, or the targets-only path registering or deregistering anything, the
 *   entry is dropped: the next reconcile discovers in full and keeps what it finds if its
 *   plan is empty.
 *
 * Memory: one ActualStack per settled group, which the planner needs anyway while it
 * runs; the fingerprint is a hash, not a copy of the desired stack.
 */
import { createHash } from 'node:crypto';
import type { ActualStack, Stack } from '../model/index.ts';
import type { DeployContext } from './context.ts';
import { discoverStack } from './discover.ts';
import type { DiscoveryHints } from './stack-resources.ts';
import { verifyStack } from './verify-stack.ts';
import type { Drift } from './verify-stack.ts';

/** A hash of everything the desired stack says: equal fingerprints, equal wishes. */
export function stackFingerprint(stack: Stack): string {
  return createHash('sha256').update(JSON.stringify(stack)).digest('base64url');
}

/** The names a full discovery looks up when neither the index nor known ARNs find them. */
export function namesOf(stack: Stack): Omit<DiscoveryHints, 'arns'> {
  return {
    ...(stack.loadBalancer === null ? {} : { loadBalancerName: stack.loadBalancer.name }),
    targetGroupNames: stack.targetGroups.map((tg) => tg.name),
  };
}

function arnsOf(actual: ActualStack): string[] {
  return [
    ...(actual.loadBalancer === null ? [] : [actual.loadBalancer.arn]),
    ...actual.targetGroups.map((tg) => tg.arn),
  ];
}

export interface DiscoveryCacheOptions {
  /**
   * How long a full discovery is trusted, provided the cheap check passes.
   * @default 3600000 (1 hour)
   */
  readonly fullDiscoveryIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** The full read. @default discoverStack */
  readonly discover?: (
    ctx: DeployContext,
    stackId: string,
    hints: DiscoveryHints,
  ) => Promise<ActualStack | null>;
  /** The cheap check. @default verifyStack */
  readonly verify?: (ctx: DeployContext, known: ActualStack) => Promise<Drift>;
}

export type DiscoveryKind = 'full' | 'verified';

/** What discover() found, and how. */
export interface Discovery {
  readonly actual: ActualStack | null;
  readonly kind: DiscoveryKind;
  /** Why a full discovery was needed (`first`, `inputs changed`, `interval`, a drift). */
  readonly reason: string;
  /** When the state in `actual` was last read in full. */
  readonly fullAt: number;
  /** The group's generation when discovery began: settle() ignores a stale one. */
  readonly generation: number;
}

interface Entry {
  readonly fingerprint: string;
  readonly actual: ActualStack;
  readonly fullAt: number;
}

export class DiscoveryCache {
  readonly #entries = new Map<string, Entry>();
  /** Bumped by forget(), so a reconcile that raced a forget cannot settle old state. */
  readonly #generations = new Map<string, number>();
  /** When each group was last read in full; survives forget(), which reads nothing. */
  readonly #lastFullAt = new Map<string, number>();
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #discover: (
    ctx: DeployContext,
    stackId: string,
    hints: DiscoveryHints,
  ) => Promise<ActualStack | null>;
  /**
   * The load balancer and target group ARNs of each stack as last read or written here,
   * kept through forget(): the tagging index may not list a resource created a moment
   * ago, so a full discovery asks ELBv2 for these by ARN (an Ingress deleted right after
   * its ALB was created still finds the ALB to delete).
   */
  readonly #seen = new Map<string, readonly string[]>();
  readonly #verify: (ctx: DeployContext, known: ActualStack) => Promise<Drift>;

  constructor(options: DiscoveryCacheOptions = {}) {
    this.#intervalMs = options.fullDiscoveryIntervalMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#discover = options.discover ?? discoverStack;
    this.#verify = options.verify ?? verifyStack;
  }

  /** Groups with a settled stack. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The actual stack of `stackId`, for a reconcile whose desired stack has `fingerprint`:
   * the settled one when it is recent, wanted unchanged and still verified, else read in
   * full. `names` are the desired stack's load balancer and target group names (see
   * namesOf): a full read looks up by name what neither the index nor the ARNs seen here
   * find, so nothing is created twice.
   */
  async discover(
    ctx: DeployContext,
    stackId: string,
    fingerprint: string,
    names: Omit<DiscoveryHints, 'arns'> = {},
  ): Promise<Discovery> {
    const generation = this.#generations.get(stackId) ?? 0;
    const entry = this.#entries.get(stackId);
    let reason = 'first';
    if (entry !== undefined) {
      if (entry.fingerprint !== fingerprint) reason = 'inputs changed';
      else if (this.#now() - entry.fullAt >= this.#intervalMs) reason = 'interval';
      else {
        const drift = await this.#verify(ctx, entry.actual);
        if (drift === null) {
          return {
            actual: entry.actual,
            kind: 'verified',
            reason: '',
            fullAt: entry.fullAt,
            generation,
          };
        }
        reason = drift;
      }
      this.#entries.delete(stackId);
    }
    const fullAt = this.#now();
    const arns = this.#seen.get(stackId) ?? [];
    const actual = await this.#discover(ctx, stackId, { ...names, arns });
    this.#lastFullAt.set(stackId, fullAt);
    this.#see(stackId, actual);
    return { actual, kind: 'full', reason, fullAt, generation };
  }

  /**
   * Milliseconds until `stackId` must be read in full again (0 when due, or never read):
   * what a reconcile asks to be requeued after, so the interval holds without a resync.
   */
  fullDueInMs(stackId: string): number {
    const last = this.#lastFullAt.get(stackId);
    return last === undefined ? 0 : Math.max(0, last + this.#intervalMs - this.#now());
  }

  /**
   * The reconcile that used `found` planned nothing: AWS is as `found.actual` says and as
   * `fingerprint` wants, so keep it for the next one. Nothing is kept for a stack that
   * does not exist, or when the group was forgotten meanwhile.
   */
  settle(stackId: string, fingerprint: string, found: Discovery): void {
    if (found.actual === null) return;
    if ((this.#generations.get(stackId) ?? 0) !== found.generation) return;
    this.#see(stackId, found.actual);
    this.#entries.set(stackId, { fingerprint, actual: found.actual, fullAt: found.fullAt });
  }

  /**
   * An apply changed AWS into `actual` (what it wrote on top of what `found` read): keep
   * that for the next reconcile, unless the group was forgotten again since `generation`
   * (what forget() returned before the apply). The caller makes sure planning the desired
   * stack against `actual` changes nothing.
   */
  settleApplied(
    stackId: string,
    fingerprint: string,
    actual: ActualStack,
    found: Discovery,
    generation: number,
  ): void {
    this.#see(stackId, actual);
    if ((this.#generations.get(stackId) ?? 0) !== generation) return;
    this.#entries.set(stackId, { fingerprint, actual, fullAt: found.fullAt });
  }

  /** The group is gone and so is its stack: nothing of it is kept. */
  drop(stackId: string): void {
    this.forget(stackId);
    this.#seen.delete(stackId);
    this.#lastFullAt.delete(stackId);
  }

  #see(stackId: string, actual: ActualStack | null): void {
    const arns = actual === null ? [] : arnsOf(actual);
    if (arns.length === 0) this.#seen.delete(stackId);
    else this.#seen.set(stackId, arns);
  }

  /**
   * AWS may differ from what was kept (we are changing it, or failed halfway): read in
   * full next. Returns the group's new generation, for settleApplied.
   */
  forget(stackId: string): number {
    this.#entries.delete(stackId);
    const generation = (this.#generations.get(stackId) ?? 0) + 1;
    this.#generations.set(stackId, generation);
    return generation;
  }
}
