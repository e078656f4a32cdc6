/**
 * The groups kept incrementally: each Ingress's contributions (grouping.ts) stored by
 * Ingress, and the Ingresses of each group, so one group is assembled from its own
 * Ingresses, O(its members), instead of regrouping every Ingress of the cluster.
 *
 * The index is only as fresh as its updates: whoever feeds it recomputes an Ingress's
 * contributions on every event that can change them (the Ingress itself; its class, the
 * class's params, or its namespace's labels). `groups()` equals `groupIngresses` over the
 * same Ingresses, which the tests check over random event sequences.
 */
import type { GroupContribution } from './grouping.ts';
import { assembleGroup } from './grouping.ts';
import type { IngressGroup } from './group.ts';
import { compareStrings } from './finalizers.ts';

export class GroupIndex {
  /** Ingress `namespace/name` → what it adds, to which groups. */
  readonly #byIngress = new Map<string, readonly GroupContribution[]>();
  /** Group id → the Ingresses contributing to it. */
  readonly #ingressesOf = new Map<string, Set<string>>();

  /** Replaces what `ingressKey` contributes (none: it is gone from every group). */
  set(ingressKey: string, contributions: readonly GroupContribution[]): void {
    for (const old of this.#byIngress.get(ingressKey) ?? []) {
      const set = this.#ingressesOf.get(old.groupId);
      set?.delete(ingressKey);
      if (set?.size === 0) this.#ingressesOf.delete(old.groupId);
    }
    if (contributions.length === 0) {
      this.#byIngress.delete(ingressKey);
      return;
    }
    this.#byIngress.set(ingressKey, contributions);
    for (const c of contributions) {
      let set = this.#ingressesOf.get(c.groupId);
      if (set === undefined) {
        set = new Set();
        this.#ingressesOf.set(c.groupId, set);
      }
      set.add(ingressKey);
    }
  }

  delete(ingressKey: string): void {
    this.set(ingressKey, []);
  }

  /** Every Ingress the index holds, for recomputing them all. */
  ingressKeys(): string[] {
    return [...this.#byIngress.keys()];
  }

  /** The Ingresses contributing to a group, sorted (none when no Ingress does). */
  ingressKeysOf(groupId: string): string[] {
    return [...(this.#ingressesOf.get(groupId) ?? [])].sort(compareStrings);
  }

  /** The group, assembled from its own Ingresses; `undefined` when none contributes. */
  group(groupId: string): IngressGroup | undefined {
    const ingresses = this.#ingressesOf.get(groupId);
    if (ingresses === undefined) return undefined;
    const contributions = [...ingresses].flatMap((key) =>
      (this.#byIngress.get(key) ?? []).filter((c) => c.groupId === groupId),
    );
    return assembleGroup(contributions);
  }

  /** Every group, sorted by id, as `groupIngresses` returns them. */
  groups(): IngressGroup[] {
    return [...this.#ingressesOf.keys()].sort(compareStrings).flatMap((id) => {
      const group = this.group(id);
      return group === undefined ? [] : [group];
    });
  }
}
