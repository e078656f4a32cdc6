/**
 * `multi-cluster-target-group` on an Ingress's own target groups: the record of the
 * targets this cluster registered, one ConfigMap per target group in its member's
 * namespace (pkg/k8s/owned-targets.ts; the same record a TargetGroupBinding keeps), so
 * that a restart still deregisters only our targets. Written ahead of RegisterTargets,
 * trimmed after DeregisterTargets; removed when the target group is deleted.
 */
import type { CoreV1Api } from '@kubernetes/client-node';
import {
  deleteOwnedTargets,
  ownedTargetsNameOfTargetGroup,
  readOwnedTargets,
  writeOwnedTargets,
} from '../pkg/k8s/index.ts';
import type { OwnedTargets } from '../pkg/k8s/index.ts';
import type { Stack, TargetGroup } from '../pkg/model/index.ts';
import { targetKey } from '../pkg/plan/index.ts';
import type { Plan, TargetsStep } from '../pkg/plan/index.ts';

interface Entry {
  readonly namespace: string;
  readonly configMap: string;
  state: OwnedTargets;
}

function namespaceOf(tg: TargetGroup): string {
  return tg.member.split('/', 1)[0] ?? '';
}

export class MultiClusterTargets {
  readonly #core: CoreV1Api;
  readonly #entries = new Map<string, Entry>();

  private constructor(core: CoreV1Api) {
    this.#core = core;
  }

  /** Reads the records of the stack's multi-cluster target groups (none: no call). */
  static async load(core: CoreV1Api, stack: Stack): Promise<MultiClusterTargets> {
    const ledger = new MultiClusterTargets(core);
    for (const tg of stack.targetGroups) {
      if (tg.multiCluster !== true) continue;
      const namespace = namespaceOf(tg);
      const configMap = ownedTargetsNameOfTargetGroup(tg.name);
      const state = await readOwnedTargets(core, namespace, configMap);
      ledger.#entries.set(tg.id, { namespace, configMap, state });
    }
    return ledger;
  }

  /** What planChanges takes: owned target keys by target group id. */
  owned(): ReadonlyMap<string, ReadonlySet<string>> {
    return new Map([...this.#entries].map(([id, e]) => [id, e.state.keys]));
  }

  /** Before the apply: every target about to be registered is recorded as ours. */
  async beforeApply(plan: Plan): Promise<void> {
    for (const step of targetSteps(plan)) {
      const entry = this.#entries.get(step.id);
      if (entry === undefined || step.register.length === 0) continue;
      const keys = new Set([...entry.state.keys, ...step.register.map(targetKey)]);
      if (keys.size === entry.state.keys.size) continue;
      await this.#record(entry, keys);
    }
  }

  /** No owner reference: the record goes when its target group is deleted (afterApply). */
  async #record(entry: Entry, keys: ReadonlySet<string>): Promise<void> {
    entry.state = await writeOwnedTargets(
      this.#core,
      entry.namespace,
      entry.configMap,
      undefined,
      entry.state,
      keys,
    );
  }

  /**
   * After a successful apply: deregistered targets are forgotten, and the records of
   * deleted target groups go with them.
   */
  async afterApply(plan: Plan): Promise<void> {
    for (const step of targetSteps(plan)) {
      const entry = this.#entries.get(step.id);
      if (entry === undefined || step.deregister.length === 0) continue;
      const gone = new Set(step.deregister.map(targetKey));
      await this.#record(entry, new Set([...entry.state.keys].filter((k) => !gone.has(k))));
    }
    for (const step of plan) {
      if (step.kind !== 'TargetGroup' || step.step !== 'delete') continue;
      const tg = step.actual;
      await deleteOwnedTargets(this.#core, namespaceOf(tg), ownedTargetsNameOfTargetGroup(tg.name));
    }
  }
}

function targetSteps(plan: Plan): TargetsStep[] {
  return plan.filter((s): s is TargetsStep => s.kind === 'Targets');
}
