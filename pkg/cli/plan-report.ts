/**
 * The planner's pure middle: an inventory of manifests → every group's desired stack and
 * its plan against an empty account, with every problem found on the way. Both output
 * writers read this one value.
 */
import type { V1IngressClass } from '@kubernetes/client-node';
import type { IngressGroup } from '../ingress/index.ts';
import { DEFAULT_CLASS_ANNOTATION, groupIngresses, ingressKeyOf } from '../ingress/index.ts';
import type { ClassParamsInput } from '../ingress/index.ts';
import type { Change, Problem, Stack } from '../model/index.ts';
import type { NodePortRange } from '../plan/index.ts';
import type { Env, TranslateConfig } from '../translate/env.ts';
import type { Inventory } from './inventory.ts';
import type { BindingPlan } from './plan-bindings.ts';
import { planBindings } from './plan-bindings.ts';

/** The pure core the planner drives; injected so the writers can be tested on their own. */
export interface PlanCore {
  readonly buildStack: (
    group: IngressGroup,
    env: Env,
    config: TranslateConfig,
  ) => { readonly stack: Stack; readonly problems: readonly Problem[] };
  /** Against an empty account: `actual` is always `null` offline. */
  readonly planChanges: (desired: Stack, actual: null) => readonly Change[];
}

/** One step of the plan, with the stack it belongs to (ids repeat across stacks). */
export interface StackChange {
  readonly stack: string;
  readonly op: Change['op'];
  readonly kind: Change['kind'];
  readonly id: string;
  readonly reason: string;
}

export interface PlanReport {
  readonly stacks: readonly Stack[];
  readonly changes: readonly StackChange[];
  /** TargetGroupBindings: targets registered in target groups that are not ours; none when absent. */
  readonly bindings?: readonly BindingPlan[];
  readonly problems: readonly Problem[];
  /** Remarks about the input (assumptions made, objects ignored); not about an Ingress. */
  readonly notes: readonly string[];
  /** What backend rules of instance targets open (`--node-port-range`). @default 30000-32767 */
  readonly nodePortRange?: NodePortRange;
}

export function planInventory(
  inventory: Inventory,
  config: TranslateConfig,
  core: PlanCore,
  nodePortRange?: NodePortRange,
): PlanReport {
  const notes = [...inventory.notes];
  let ingressClasses = inventory.ingressClasses;
  if (ingressClasses.size === 0) {
    ingressClasses = new Map([[config.ingressClass, assumedIngressClass(config)]]);
    notes.push(
      `no IngressClass in the input: assuming '${config.ingressClass}' (controller ` +
        `${config.controllerName}, the cluster's default class) as the Helm chart installs it`,
    );
  }
  if (inventory.nodes === undefined && inventory.endpointSlices === undefined) {
    notes.push('no Node or EndpointSlice in the input: targets are unknown');
  }
  const env: Env = {
    services: inventory.services,
    endpointSlices: inventory.endpointSlices,
    nodes: inventory.nodes,
    ingressClasses,
    subnets: undefined,
  };

  const stacks: Stack[] = [];
  const changes: StackChange[] = [];
  const problems = new ProblemList(inventory.problems);
  const classParams: ClassParamsInput = {
    params: new Map(
      [...inventory.ingressClassParams].map(([name, object]) => [name, object.spec ?? {}]),
    ),
    namespaceLabels: inventory.namespaceLabels,
  };
  for (const group of groupIngresses(inventory.ingresses, ingressClasses, config, classParams)) {
    problems.add(group.problems);
    const { stack, problems: found } = core.buildStack(group, env, config);
    problems.add(found);
    stacks.push(stack);
    for (const change of core.planChanges(stack, null)) {
      changes.push({
        stack: stack.id,
        op: change.op,
        kind: change.kind,
        id: change.id,
        reason: change.reason,
      });
    }
  }
  const active = new Set(stacks.flatMap((stack) => stack.members));
  const leftOut = inventory.ingresses.map(ingressKeyOf).filter((key) => !active.has(key));
  if (leftOut.length > 0) {
    const shown = leftOut.slice(0, 5).join(', ') + (leftOut.length > 5 ? ', …' : '');
    notes.push(
      `left out ${leftOut.length} Ingress${leftOut.length === 1 ? '' : 'es'} not of class ` +
        `'${config.ingressClass}' (controller ${config.controllerName}) or being deleted: ${shown}`,
    );
  }
  const bindings = planBindings(inventory);
  problems.add(bindings.problems);
  return {
    stacks,
    changes,
    bindings: bindings.bindings,
    problems: problems.list(),
    notes,
    ...(nodePortRange === undefined ? {} : { nodePortRange }),
  };
}

function assumedIngressClass(config: TranslateConfig): V1IngressClass {
  const manifest: unknown = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: config.ingressClass, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    spec: { controller: config.controllerName },
  };
  return manifest as V1IngressClass;
}

/** Problems in the order found, each once (grouping's may be repeated by translate). */
class ProblemList {
  readonly #seen = new Set<string>();
  readonly #problems: Problem[] = [];

  constructor(initial: readonly Problem[]) {
    this.add(initial);
  }

  add(problems: readonly Problem[]): void {
    for (const problem of problems) {
      const key = JSON.stringify([
        problem.ingress,
        problem.field,
        problem.value,
        problem.message,
        problem.severity,
      ]);
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      this.#problems.push(problem);
    }
  }

  list(): readonly Problem[] {
    return this.#problems;
  }
}
