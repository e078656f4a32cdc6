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
 * - A restarted controller (or a new leader) has no entry: it rebuilds the stack from the
 *   `albatross.dev/applied` tag on the load balancer (restore-stack.ts), which costs the
 *   same 1 + L reads as the check, and treats it as verified; anything missing, extra or
 *   different falls back to a full discovery, which reuses that tagging call. The tag is
 *   written only when it is true (`record`: after an apply that left exactly the desired
 *   stack, or a full discovery that planned nothing) and removed before an apply changes
 *   the stack (`withdraw`). The time of the last full read is not known after a restart:
 *   it is taken as `now − U·interval`, U uniform in [0, 1) per group and process, so the
 *   first full reads spread over one interval (no herd), and each group is still read in
 *   full within one interval of the restart (see docs/decisions/0020).
 *
 * Memory: one ActualStack per settled group, which the planner needs anyway while it
 * runs; the fingerprint is a hash, not a copy of the desired stack.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../aws/index.ts';
import type { ActualStack, Stack } from '../model/index.ts';
import { TAG_APPLIED } from '../naming/index.ts';
import type { Plan } from '../plan/index.ts';
import { encodeApplied } from './applied-tag.ts';
import { addAppliedTag, removeAppliedTag } from './applied-tag-writes.ts';
import type { DeployContext } from './context.ts';
import { discoverStack } from './discover.ts';
import { restoreStack } from './restore-stack.ts';
import type { Restored } from './restore-stack.ts';
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

/** What discover() is told: the desired stack's names and addresses, and the stack itself. */
export interface DiscoverHints extends Omit<DiscoveryHints, 'arns' | 'indexed'> {
  /**
   * The desired stack: with it, a group with no entry (a restart, a new leader) is
   * rebuilt from its load balancer's applied tag before it is read in full.
   */
  readonly desired?: Stack;
}

/**
 * Whether an apply of `plan` must first remove the applied tag: whenever it changes what
 * the tag vouches for. Not for a plan that only registers or deregisters targets (the
 * tag's fingerprint covers the desired targets, so a change of them already misses it,
 * and a pod roll must not cost two more writes), nor for one that deletes or replaces
 * the load balancer (the tag goes with it; a new one has none).
 */
export function changesVouchedState(plan: Plan): boolean {
  if (plan.every((step) => step.kind === 'Targets')) return false;
  return !plan.some(
    (step) =>
      step.kind === 'LoadBalancer' &&
      (step.op === 'replace' || (step.op === 'delete' && step.step === 'delete')),
  );
}

/** The AddTags and RemoveTags of the applied tag (stand-ins in unit tests). */
export interface AppliedTagWriter {
  add(ctx: DeployContext, loadBalancerArn: string, value: string): Promise<void>;
  remove(ctx: DeployContext, loadBalancerArn: string): Promise<void>;
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
  /** The rebuild after a restart. @default restoreStack */
  readonly restore?: (
    ctx: DeployContext,
    desired: Stack,
    fingerprint: string,
    addresses: readonly string[],
  ) => Promise<Restored>;
  /** U of `fullAt = now − U·interval` for a rebuilt stack. @default Math.random */
  readonly random?: () => number;
  /** @default AddTags and RemoveTags on ELBv2 */
  readonly tags?: AppliedTagWriter;
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

/** The applied tag a stack's load balancer carries, as last read or written here. */
interface Recorded {
  readonly arn: string;
  readonly value: string | undefined;
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
  readonly #restore: NonNullable<DiscoveryCacheOptions['restore']>;
  readonly #random: () => number;
  readonly #tags: AppliedTagWriter;
  /** Per stack, the applied tag on its load balancer; survives forget(). */
  readonly #recorded = new Map<string, Recorded>();
  /** `arn value` pairs AWS refused (too many tags): not tried again in this process. */
  readonly #refused = new Set<string>();

  constructor(options: DiscoveryCacheOptions = {}) {
    this.#intervalMs = options.fullDiscoveryIntervalMs ?? 3_600_000;
    this.#now = options.now ?? Date.now;
    this.#discover = options.discover ?? discoverStack;
    this.#verify = options.verify ?? verifyStack;
    this.#restore = options.restore ?? restoreStack;
    this.#random = options.random ?? Math.random;
    this.#tags = options.tags ?? { add: addAppliedTag, remove: removeAppliedTag };
  }

  /** Groups with a settled stack. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The actual stack of `stackId`, for a reconcile whose desired stack has `fingerprint`:
   * the settled one when it is recent, wanted unchanged and still verified; with no
   * settled one (a restart), the one rebuilt from the applied tag when `hints.desired` is
   * given and the tag is the desired stack's; else read in full. `hints` also holds the
   * desired stack's load balancer and target group names (see namesOf): a full read
   * looks up by name what neither the index nor the ARNs seen here find, so nothing is
   * created twice.
   */
  async discover(
    ctx: DeployContext,
    stackId: string,
    fingerprint: string,
    hints: DiscoverHints = {},
  ): Promise<Discovery> {
    const { desired, ...names } = hints;
    const generation = this.#generations.get(stackId) ?? 0;
    const entry = this.#entries.get(stackId);
    let reason = 'first';
    let indexed: DiscoveryHints['indexed'];
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
    } else if (desired !== undefined && !this.#readInFullIsDue(stackId)) {
      const restored = await this.#restore(ctx, desired, fingerprint, names.addresses ?? []);
      if ('stack' in restored) {
        const fullAt = this.#fullAtAfterRestart(stackId);
        const lb = restored.stack.loadBalancer;
        if (lb !== null) this.#recorded.set(stackId, { arn: lb.arn, value: restored.tagValue });
        this.#see(stackId, restored.stack);
        return { actual: restored.stack, kind: 'verified', reason: '', fullAt, generation };
      }
      reason = `first (${restored.unusable})`;
      indexed = restored.indexed;
    }
    const fullAt = this.#now();
    const arns = this.#seen.get(stackId) ?? [];
    const actual = await this.#discover(ctx, stackId, {
      ...names,
      arns,
      ...(indexed === undefined ? {} : { indexed }),
    });
    this.#lastFullAt.set(stackId, fullAt);
    this.#see(stackId, actual);
    const lb = actual?.loadBalancer ?? null;
    if (lb === null) this.#recorded.delete(stackId);
    else this.#recorded.set(stackId, { arn: lb.arn, value: lb.tags[TAG_APPLIED] });
    return { actual, kind: 'full', reason, fullAt, generation };
  }

  /** A full read of `stackId` by this process is older than the interval. */
  #readInFullIsDue(stackId: string): boolean {
    const last = this.#lastFullAt.get(stackId);
    return last !== undefined && this.#now() - last >= this.#intervalMs;
  }

  /**
   * When a stack rebuilt after a restart was last read in full: known if this process
   * read it, else unknown and taken as `now − U·interval` (U in [0, 1)), so the groups'
   * first full reads spread over the interval after a restart instead of all falling due
   * at once, and none waits longer than one interval.
   */
  #fullAtAfterRestart(stackId: string): number {
    const known = this.#lastFullAt.get(stackId);
    if (known !== undefined) return known;
    const u = Math.min(Math.max(this.#random(), 0), 0.999_999);
    const fullAt = this.#now() - Math.floor(u * this.#intervalMs);
    this.#lastFullAt.set(stackId, fullAt);
    return fullAt;
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

  /**
   * After settle() or settleApplied(): write the applied tag on the load balancer when
   * what is kept is not what it says (1 AddTags), so a restart can rebuild the stack
   * without a full discovery. Returns whether it wrote. Nothing when nothing is kept,
   * when the value would not fit a tag, or when AWS refused it for too many tags (the
   * restart then reads in full); any other failure is thrown.
   */
  async record(ctx: DeployContext, stackId: string): Promise<boolean> {
    const entry = this.#entries.get(stackId);
    const lb = entry?.actual.loadBalancer ?? null;
    if (entry === undefined || lb === null) return false;
    const encoded = encodeApplied(entry.actual, entry.fingerprint);
    if (!('value' in encoded)) return false;
    const known = this.#recorded.get(stackId);
    if (known?.arn === lb.arn && known.value === encoded.value) return false;
    const key = `${lb.arn} ${encoded.value}`;
    if (this.#refused.has(key)) return false;
    try {
      await this.#tags.add(ctx, lb.arn, encoded.value);
    } catch (err) {
      if (err instanceof AwsError && err.code === 'TooManyTags') {
        this.#refused.add(key);
        return false;
      }
      throw err;
    }
    this.#recorded.set(stackId, { arn: lb.arn, value: encoded.value });
    return true;
  }

  /**
   * Before an apply of `plan` on `actual` (what this reconcile discovered or verified):
   * remove the applied tag when the plan changes what it vouches for
   * (changesVouchedState), so an apply that fails halfway, then a revert and a restart,
   * cannot be verified from it (1 RemoveTags). Returns whether it wrote.
   */
  async withdraw(
    ctx: DeployContext,
    stackId: string,
    actual: ActualStack | null,
    plan: Plan,
  ): Promise<boolean> {
    const lb = actual?.loadBalancer ?? null;
    if (lb === null || !changesVouchedState(plan)) return false;
    const known = this.#recorded.get(stackId);
    const value = known?.arn === lb.arn ? known.value : lb.tags[TAG_APPLIED];
    if (value === undefined) return false;
    await this.#tags.remove(ctx, lb.arn);
    this.#recorded.set(stackId, { arn: lb.arn, value: undefined });
    return true;
  }

  /** The group is gone and so is its stack: nothing of it is kept. */
  drop(stackId: string): void {
    this.forget(stackId);
    this.#seen.delete(stackId);
    this.#lastFullAt.delete(stackId);
    this.#recorded.delete(stackId);
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
