/**
 * `albatross plan --output json`: one object, `{stacks, changes, problems}`, in the shape
 * issue 3 fixes. Listeners carry their rules (by priority); a forward names its target
 * group by that target group's `id`. Pure: report in, text out.
 *
 * Beyond the fixed shape, and only where it adds meaning: each change carries `stack`
 * (resource ids repeat across stacks), a listener its `certificates`/`sslPolicy` when
 * HTTPS, a rule its `transforms` when it has any, and a stack its `frozenMembers` when
 * some member is frozen. Everything apply sends to AWS is in it: target groups carry
 * their attributes, tags and protocol version, listeners and rules their tags, and a
 * stack its `backendRules` when it has any.
 */
import type { Listener, ListenerRule, Stack } from '../model/index.ts';
import type { BindingPlan } from './plan-bindings.ts';
import type { PlanReport } from './plan-report.ts';
import { redactAction } from './redact.ts';

export function renderPlanJson(report: PlanReport): string {
  const document = {
    stacks: report.stacks.map(stackJson),
    changes: report.changes.map((c) => ({
      stack: c.stack,
      op: c.op,
      kind: c.kind,
      id: c.id,
      reason: c.reason,
    })),
    ...((report.bindings ?? []).length > 0
      ? { targetGroupBindings: (report.bindings ?? []).map(bindingJson) }
      : {}),
    problems: report.problems.map((p) => ({
      ingress: p.ingress,
      field: p.field,
      value: p.value,
      message: p.message,
      severity: p.severity,
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function stackJson(stack: Stack) {
  return {
    group: stack.id,
    members: stack.members,
    ...(stack.frozenMembers.length > 0 ? { frozenMembers: stack.frozenMembers } : {}),
    loadBalancer: stack.loadBalancer,
    listeners: stack.listeners.map((listener) => listenerJson(listener, stack.rules)),
    targetGroups: stack.targetGroups.map((tg) => ({
      id: tg.id,
      name: tg.name,
      targetType: tg.targetType,
      protocol: tg.protocol,
      protocolVersion: tg.protocolVersion,
      ipAddressType: tg.ipAddressType,
      port: tg.port,
      healthCheck: tg.healthCheck,
      attributes: tg.attributes,
      tags: tg.tags,
      ...(tg.targetControlPort === undefined ? {} : { targetControlPort: tg.targetControlPort }),
      ...(tg.multiCluster === undefined ? {} : { multiCluster: tg.multiCluster }),
      service: tg.service,
      targets: tg.targets,
    })),
    securityGroups: stack.securityGroups,
    ...(stack.backendRules.length > 0 ? { backendRules: stack.backendRules } : {}),
    ...(stack.addons === undefined ? {} : { addons: stack.addons }),
  };
}

function listenerJson(listener: Listener, rules: readonly ListenerRule[]) {
  return {
    port: listener.port,
    protocol: listener.protocol,
    ...(listener.certificates.length > 0 ? { certificates: listener.certificates } : {}),
    ...(listener.certificateDiscovery === undefined
      ? {}
      : { certificateDiscovery: listener.certificateDiscovery }),
    ...(listener.sslPolicy === undefined ? {} : { sslPolicy: listener.sslPolicy }),
    ...(listener.mutualAuthentication === undefined
      ? {}
      : { mutualAuthentication: listener.mutualAuthentication }),
    ...(Object.keys(listener.attributes).length > 0 ? { attributes: listener.attributes } : {}),
    tags: listener.tags,
    defaultActions: listener.defaultActions.map(redactAction),
    rules: rulesOf(listener, rules).map((rule) => ({
      priority: rule.priority,
      conditions: rule.conditions,
      actions: rule.actions.map(redactAction),
      ...(rule.transforms.length > 0 ? { transforms: rule.transforms } : {}),
      tags: rule.tags,
    })),
  };
}

export function rulesOf(listener: Listener, rules: readonly ListenerRule[]): ListenerRule[] {
  return rules.filter((r) => r.listenerId === listener.id).sort((a, b) => a.priority - b.priority);
}

/** Only present when the input holds TargetGroupBindings, so the fixed shape stays. */
function bindingJson(b: BindingPlan) {
  return {
    binding: b.binding,
    targetGroup: b.targetGroup,
    managed: false,
    targetType: b.targetType,
    service: b.service,
    targets: b.targets,
    networkingRules: b.rules,
  };
}
