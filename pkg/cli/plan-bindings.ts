/**
 * TargetGroupBindings in the offline plan: per binding, its target group (never ours: we
 * only register its targets), the targets the manifests' Service, EndpointSlices and
 * Nodes give it, and the security group rules its `networking` asks for. The controller's
 * own pure translation (translate/target-group-binding.ts) decides all of it, so the plan
 * and the controller never disagree. Pure.
 */
import type { Problem, Target } from '../model/index.ts';
import {
  bindingRules,
  bindingServicePort,
  bindingTargets,
  parseBindingSpec,
  type BindingRule,
  type BindingTargetType,
  type TargetGroupBindingObject,
} from '../translate/target-group-binding.ts';
import type { Inventory } from './inventory.ts';

export interface BindingPlan {
  /** `namespace/name` of the TargetGroupBinding. */
  readonly binding: string;
  /** The ARN or the name the spec gives. */
  readonly targetGroup: string;
  /** `null`: the spec leaves it to the target group's own type, unknown offline. */
  readonly targetType: BindingTargetType | null;
  /** `namespace/name:port` of the Service. */
  readonly service: string;
  /** `null`: unknown (no EndpointSlices or Nodes in the input, or no target type). */
  readonly targets: readonly Target[] | null;
  /** `null`: unknown until the targets are (a named port resolves to theirs). */
  readonly rules: readonly BindingRule[] | null;
}

export interface BindingsReport {
  readonly bindings: readonly BindingPlan[];
  readonly problems: readonly Problem[];
}

/** Problems about a binding name it so, not as an Ingress. */
export function bindingSubject(key: string): string {
  return `TargetGroupBinding ${key}`;
}

/** `spec.x.y: "value" is …` → a problem on field `spec.x.y` with value `value`. */
function specProblem(key: string, error: string): Problem {
  const colon = error.indexOf(': ');
  const field = colon < 0 ? 'spec' : error.slice(0, colon);
  const quoted = /"([^"]*)"/.exec(error);
  return {
    ingress: bindingSubject(key),
    field,
    value: quoted?.[1] ?? '',
    message: error,
    severity: 'error',
  };
}

export function planBindings(inventory: Inventory): BindingsReport {
  const bindings: BindingPlan[] = [];
  const problems: Problem[] = [];
  for (const object of inventory.targetGroupBindings) {
    const found = planBinding(object, inventory);
    if (found.ok) bindings.push(found.plan);
    else problems.push(found.problem);
  }
  return { bindings, problems };
}

function planBinding(
  object: TargetGroupBindingObject,
  inventory: Inventory,
): { ok: true; plan: BindingPlan } | { ok: false; problem: Problem } {
  const namespace = object.metadata?.namespace ?? 'default';
  const key = `${namespace}/${object.metadata?.name ?? ''}`;
  const parsed = parseBindingSpec(object.spec);
  if (!parsed.ok) return { ok: false, problem: specProblem(key, parsed.error) };
  const spec = parsed.value;
  const serviceKey = `${namespace}/${spec.serviceRef.name}`;
  const service = inventory.services.get(serviceKey);
  if (service === undefined) {
    return {
      ok: false,
      problem: {
        ...specProblem(key, `spec.serviceRef.name: "${spec.serviceRef.name}" is not a Service`),
        message: `spec.serviceRef.name: Service ${serviceKey} is not in the input; a binding registers the targets of an existing Service`,
      },
    };
  }
  const port = bindingServicePort(service, spec.serviceRef.port);
  if (!port.ok) return { ok: false, problem: specProblem(key, port.error) };
  const targetType = spec.targetType ?? null;
  const slices = inventory.endpointSlices;
  const nodes = inventory.nodes;
  const known =
    targetType === 'ip' ? slices !== undefined : targetType === 'instance' && nodes !== undefined;
  let targets: readonly Target[] | null = null;
  if (targetType !== null && known) {
    const computed = bindingTargets(spec, targetType, {
      service,
      slices: slices?.get(serviceKey) ?? [],
      nodes: nodes ?? [],
    });
    if (!computed.ok) return { ok: false, problem: specProblem(key, computed.error) };
    targets = computed.value;
  }
  const namedPort = (spec.networking?.ingress ?? []).some((r) =>
    r.ports.some((p) => typeof p.port === 'string'),
  );
  let rules: readonly BindingRule[] | null = null;
  if (targets !== null || !namedPort) {
    const computed = bindingRules(spec, targetType ?? 'instance', port.value, targets ?? []);
    if (!computed.ok) return { ok: false, problem: specProblem(key, computed.error) };
    rules = computed.value;
  }
  return {
    ok: true,
    plan: {
      binding: key,
      targetGroup: spec.targetGroupARN ?? spec.targetGroupName ?? '',
      targetType,
      service: `${serviceKey}:${String(spec.serviceRef.port)}`,
      targets,
      rules,
    },
  };
}
