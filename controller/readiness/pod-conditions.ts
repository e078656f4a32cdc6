/**
 * The readiness-gate condition loop, leader only (it rides the work queue as the key
 * `readiness-gates:`). One pass: the cached pods that carry a gate of ours not yet True;
 * the routes (see controller/webhook/pod-routes.ts) to each; target health read once
 * per target group for all of them; then one status patch per pod whose conditions
 * change. Nothing to wait on: no AWS call at all.
 *
 * The pass asks to run again while any gate is still False, after a short back-off that
 * grows while nothing changes (2 s, 3 s, … up to 20 s) and starts short again when a
 * gated pod, a Service or an Ingress changes.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Api, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import {
  gateVerdict,
  podCondition,
  podGates,
  routesToPod,
  type GateVerdict,
  type PodRoute,
  type TargetGroupHealth,
} from '../../pkg/translate/index.ts';
import type { ReconcileResult } from '../handle-result.ts';
import { podRoutes, type PodRouteSource } from '../webhook/pod-routes.ts';
import { refKey, type TargetHealthReader } from './target-health.ts';

export const READINESS_GATES_KEY = 'readiness-gates:';

const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const FIRST_DELAY_MS = 2000;
const MAX_DELAY_MS = 20_000;

export interface PodConditionLoopOptions {
  readonly pods: () => readonly V1Pod[];
  readonly sources: readonly PodRouteSource[];
  readonly health: TargetHealthReader;
  readonly core: CoreV1Api;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A gate of ours the pod carries whose condition is not True. */
function pendingGates(pod: V1Pod): string[] {
  if (pod.metadata?.deletionTimestamp !== undefined) return [];
  return podGates(pod).filter((g) => podCondition(pod, g)?.status !== 'True');
}

export class PodConditionLoop {
  readonly #o: PodConditionLoopOptions;
  #quietPasses = 0;

  constructor(options: PodConditionLoopOptions) {
    this.#o = options;
  }

  /** Any gated pod waiting: worth a pass after a cluster change. */
  hasPending(): boolean {
    return this.#o.pods().some((p) => pendingGates(p).length > 0);
  }

  /** Something changed in the cluster: the next pass comes soon again. */
  nudge(): void {
    this.#quietPasses = 0;
  }

  async pass(signal: AbortSignal): Promise<ReconcileResult> {
    const waiting = this.#o.pods().flatMap((pod) => {
      const gates = pendingGates(pod);
      return gates.length === 0 ? [] : [{ pod, gates }];
    });
    if (waiting.length === 0) {
      this.#quietPasses = 0;
      return { changesApplied: 0 };
    }
    const routesByNamespace = new Map<string, PodRoute[]>();
    const routeFor = (pod: V1Pod, gate: string): PodRoute | undefined => {
      const ns = pod.metadata?.namespace ?? '';
      let routes = routesByNamespace.get(ns);
      if (routes === undefined) {
        routes = podRoutes(this.#o.sources, ns);
        routesByNamespace.set(ns, routes);
      }
      return routesToPod(pod, routes).find((r) => r.gate === gate);
    };
    const plan = waiting.map(({ pod, gates }) => ({
      pod,
      gates: gates.map((gate) => ({ gate, route: routeFor(pod, gate) })),
    }));
    const refs = plan.flatMap((p) =>
      p.gates.flatMap((g) => (g.route ? [g.route.targetGroup] : [])),
    );
    const health =
      refs.length === 0
        ? new Map<string, TargetGroupHealth>()
        : await this.#o.health.read(refs, signal);

    let patched = 0;
    let stillPending = 0;
    for (const { pod, gates } of plan) {
      const changes: V1PodCondition[] = [];
      for (const { gate, route } of gates) {
        const verdict = gateVerdict(
          pod.status?.podIP,
          route,
          route === undefined ? undefined : health.get(refKey(route.targetGroup)),
        );
        if (verdict.status !== 'True') stillPending += 1;
        const change = conditionChange(podCondition(pod, gate), gate, verdict, this.#now());
        if (change !== undefined) changes.push(change);
      }
      if (changes.length === 0) continue;
      signal.throwIfAborted();
      await this.#o.core.patchNamespacedPodStatus(
        {
          name: pod.metadata?.name ?? '',
          namespace: pod.metadata?.namespace ?? '',
          body: { status: { conditions: changes } },
        },
        strategicMerge,
      );
      patched += 1;
    }
    if (stillPending === 0) {
      this.#quietPasses = 0;
      return { changesApplied: patched };
    }
    const delay = Math.min(FIRST_DELAY_MS * 1.5 ** this.#quietPasses, MAX_DELAY_MS);
    this.#quietPasses += 1;
    return { changesApplied: patched, requeueAfterMs: Math.round(delay) };
  }

  #now(): Date {
    return new Date((this.#o.now ?? Date.now)());
  }
}

/** The condition to write, or `undefined` when the pod already says exactly this. */
function conditionChange(
  current: V1PodCondition | undefined,
  type: string,
  verdict: GateVerdict,
  now: Date,
): V1PodCondition | undefined {
  if (
    current?.status === verdict.status &&
    current.reason === verdict.reason &&
    current.message === verdict.message
  ) {
    return undefined;
  }
  const transitioned = current?.status !== verdict.status;
  return {
    type,
    status: verdict.status,
    reason: verdict.reason,
    message: verdict.message,
    lastProbeTime: now,
    lastTransitionTime: transitioned ? now : (current.lastTransitionTime ?? now),
  };
}
