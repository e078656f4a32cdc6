/**
 * `albatross plan --output text`: a review of what would be built, like a
 * `terraform plan`. Per group: the ALB, each listener with its rules in priority order
 * (conditions → actions), the target groups and their targets, the security groups; then
 * the changes marked `+` create, `~` update, `±` replace, `-` delete; then the problems.
 * Every field of the stack that apply sends to AWS is shown: a reviewed plan is what will
 * be applied (render-text-completeness.test.ts walks the model to hold this).
 * Tags shared by every resource of the stack are shown once, per resource only the rest.
 * Pure: report in, text out.
 */
import type {
  LoadBalancerAddons,
  Listener,
  LoadBalancer,
  SecurityGroup,
  SecurityGroupIngress,
  Stack,
  Tags,
  TargetGroup,
} from '../model/index.ts';
import { showSubnetTags } from '../model/index.ts';
import { TAG_INGRESS, TAG_RESOURCE } from '../naming/index.ts';
import type { NodePortRange } from '../plan/index.ts';
import {
  DEFAULT_NODE_PORT_RANGE,
  renderChange,
  stackNeeds,
  wantedBackendRules,
} from '../plan/index.ts';
import { describeActions, describeConditions, describeTransform } from './describe-rule.ts';
import type { BindingPlan } from './plan-bindings.ts';
import type { PlanReport, StackChange } from './plan-report.ts';
import { rulesOf } from './render-json.ts';

export function renderPlanText(report: PlanReport): string {
  const lines: string[] = [];
  if (report.stacks.length === 0 && (report.bindings ?? []).length === 0)
    lines.push('No Ingress of ours in the input: nothing to plan.');
  for (const stack of report.stacks) {
    lines.push(...stackLines(stack, report.nodePortRange ?? DEFAULT_NODE_PORT_RANGE), '');
  }
  for (const binding of report.bindings ?? []) lines.push(...bindingLines(binding), '');
  if (report.changes.length > 0) {
    lines.push('Changes (against an empty account):');
    let current: string | undefined;
    for (const change of report.changes) {
      if (change.stack !== current) {
        current = change.stack;
        lines.push(`  ${current}`);
      }
      lines.push(`    ${renderChange(change)}`);
    }
    lines.push('');
  }
  if (report.problems.length > 0) {
    lines.push('Problems:');
    for (const p of report.problems) {
      lines.push(
        `  ${p.severity === 'error' ? 'error  ' : 'warning'} ${p.ingress}  ${p.field}: ${JSON.stringify(p.value)}`,
      );
      lines.push(`          ${p.message}`);
    }
    lines.push('');
  }
  lines.push(summaryLine(report));
  return `${lines.join('\n')}\n`;
}

function stackLines(stack: Stack, nodePortRange: NodePortRange): string[] {
  const lines = [`Group ${stack.id}`];
  lines.push(`  members: ${stack.members.length === 0 ? '(none)' : stack.members.join(', ')}`);
  if (stack.frozenMembers.length > 0) {
    lines.push(
      `  frozen (errors below; nothing of theirs changes): ${stack.frozenMembers.join(', ')}`,
    );
  }
  if (stack.loadBalancer === null) {
    lines.push(
      stack.frozenMembers.length > 0
        ? '  every member is frozen: nothing is created or changed, what exists keeps serving'
        : '  no active member: every resource of this group is deleted',
    );
    return lines;
  }
  const tags = new StackTags(stack);
  lines.push(...tags.commonLines());
  lines.push(
    ...loadBalancerLines(stack.loadBalancer),
    ...tags.ownLines(stack.loadBalancer, '    '),
  );
  const targetGroups = new Map(stack.targetGroups.map((tg) => [tg.id, tg]));
  for (const listener of stack.listeners) {
    const tls =
      listener.protocol === 'HTTPS'
        ? `  certificates ${certificatesText(listener)}` +
          (listener.sslPolicy === undefined ? '' : `  policy ${listener.sslPolicy}`)
        : '';
    lines.push(`  Listener ${listener.protocol}:${listener.port}${tls}`);
    const mtls = listener.mutualAuthentication;
    if (mtls !== undefined) {
      const store = mtls.trustStore === undefined ? '' : ` trust store ${mtls.trustStore}`;
      const expiry =
        mtls.ignoreClientCertificateExpiry === true ? ', expired client certificates accepted' : '';
      lines.push(`    mutual TLS ${mtls.mode}${store}${expiry}`);
    }
    for (const [key, value] of Object.entries(listener.attributes))
      lines.push(`    attribute ${key}=${value}`);
    lines.push(...tags.ownLines(listener, '    '));
    for (const rule of rulesOf(listener, stack.rules)) {
      lines.push(
        `    ${String(rule.priority).padStart(3)}  ${describeConditions(rule.conditions)}`,
      );
      for (const transform of rule.transforms)
        lines.push(`         ${describeTransform(transform)}`);
      lines.push(`         → ${describeActions(rule.actions, targetGroups)}    (${rule.member})`);
      lines.push(...tags.ownLines(rule, '         '));
    }
    lines.push(`    default → ${describeActions(listener.defaultActions, targetGroups)}`);
  }
  for (const tg of stack.targetGroups) {
    lines.push(...targetGroupLines(tg), ...tags.ownLines(tg, '    '));
  }
  for (const sg of stack.securityGroups) {
    lines.push(...securityGroupLines(sg), ...tags.ownLines(sg, '    '));
  }
  lines.push(...backendAccessLines(stack, nodePortRange));
  if (stack.addons !== undefined) lines.push(`  add-ons: ${addonsText(stack.addons)}`);
  return lines;
}

interface Tagged {
  readonly id: string;
  readonly tags: Tags;
  readonly member?: string;
}

/**
 * The tags of a stack's resources: those every resource carries with one value are
 * shown once; the resource tag (the resource's id) and the Ingress tag (the member a
 * rule or target group comes from) are described there too, since each resource's value
 * follows from the resource itself.
 */
class StackTags {
  readonly #common: ReadonlyMap<string, string>;

  constructor(stack: Stack) {
    const all: readonly Tagged[] = [
      ...(stack.loadBalancer === null ? [] : [stack.loadBalancer]),
      ...stack.listeners,
      ...stack.rules,
      ...stack.targetGroups,
      ...stack.securityGroups,
    ];
    const [first, ...rest] = all;
    const common = new Map(Object.entries(first?.tags ?? {}));
    common.delete(TAG_RESOURCE);
    common.delete(TAG_INGRESS);
    for (const resource of rest) {
      for (const [key, value] of common) if (resource.tags[key] !== value) common.delete(key);
    }
    this.#common = common;
  }

  commonLines(): string[] {
    const shown = [...this.#common].map(([k, v]) => `${k}=${v}`);
    return [
      `  tags on every resource: ${[...shown, `${TAG_RESOURCE}=<its id in Changes>`].join(', ')}`,
      `    and on rules and target groups ${TAG_INGRESS}=<the Ingress they come from>`,
    ];
  }

  ownLines(resource: Tagged, indent: string): string[] {
    const own = Object.entries(resource.tags).filter(
      ([key, value]) =>
        this.#common.get(key) !== value &&
        !(key === TAG_RESOURCE && value === resource.id) &&
        !(key === TAG_INGRESS && value === resource.member),
    );
    return own.length === 0
      ? []
      : [`${indent}tags: ${own.map(([k, v]) => `${k}=${v}`).join(', ')}`];
  }
}

/** A placeholder for the security group of targets, known only at apply. */
const TARGETS_GROUP = "the targets' security group (found at apply)";

/**
 * The rules apply opens on node and pod security groups for this stack, computed by the
 * code apply uses: instance ports widened to the NodePort range, ranges merged.
 */
function backendAccessLines(stack: Stack, nodePortRange: NodePortRange): string[] {
  const wanted = wantedBackendRules(
    stackNeeds(stack, () => [TARGETS_GROUP]),
    nodePortRange,
  );
  return wanted.map((rule) => {
    const ports =
      rule.fromPort === rule.toPort ? `${rule.fromPort}` : `${rule.fromPort}-${rule.toPort}`;
    return `  backend access: tcp/${ports} from the shared backend group into ${rule.securityGroupId}`;
  });
}

function certificatesText(listener: Listener): string {
  const given = listener.certificates.map((c) => c.certificateArn).join(', ');
  const discovery = listener.certificateDiscovery;
  if (discovery === undefined) return given || '(none)';
  const hosts = discovery.hosts.length === 0 ? '(no host)' : discovery.hosts.join(', ');
  if (!discovery.resolved) {
    return `${given === '' ? '' : `${given} + `}to be discovered in ACM for hosts ${hosts}`;
  }
  return `${given || '(none)'} (discovered for hosts ${hosts})`;
}

function addonsText(addons: LoadBalancerAddons): string {
  const parts: string[] = [];
  const waf = addons.wafv2;
  if (waf !== undefined) {
    parts.push(
      `WAFv2 web ACL ${waf.kind === 'arn' ? waf.arn : waf.kind === 'name' ? `named ${waf.name}` : 'none'}`,
    );
  }
  if (addons.wafRegional !== undefined) {
    parts.push(`WAF Regional web ACL ${addons.wafRegional ?? 'none'}`);
  }
  if (addons.shieldAdvanced !== undefined) {
    parts.push(`Shield Advanced ${addons.shieldAdvanced ? 'on' : 'off'}`);
  }
  return parts.join('; ');
}

function loadBalancerLines(lb: LoadBalancer): string[] {
  const subnets =
    lb.subnets.kind === 'resolved'
      ? `${lb.subnets.subnetIds.join(', ')}${lb.subnets.discovered === true ? ' (discovered; an existing ALB keeps its subnets)' : ''}`
      : lb.subnets.kind === 'listed'
        ? `${lb.subnets.entries.join(', ')} (resolved at apply)`
        : lb.subnets.kind === 'tagged'
          ? `tagged ${showSubnetTags(lb.subnets.tags)} (resolved at apply)`
          : `discovered at apply (tag kubernetes.io/role/${lb.subnets.role})`;
  const groups = lb.securityGroups
    .map((ref) =>
      ref.kind === 'managed'
        ? `${ref.id} (managed)`
        : ref.kind === 'shared-backend'
          ? 'shared backend'
          : ref.entry,
    )
    .join(', ');
  const lines = [
    `  LoadBalancer ${lb.name}  ${lb.scheme}  ${lb.ipAddressType}`,
    `    subnets: ${subnets}`,
    `    security groups: ${groups || '(none)'}`,
  ];
  const attributes = Object.entries(lb.attributes);
  if (attributes.length > 0) {
    lines.push(`    attributes: ${attributes.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  if (lb.customerOwnedIpv4Pool !== undefined) {
    lines.push(`    customer-owned IPv4 pool: ${lb.customerOwnedIpv4Pool}`);
  }
  if (lb.ipamIpv4PoolId !== undefined) lines.push(`    IPAM IPv4 pool: ${lb.ipamIpv4PoolId}`);
  if (lb.minimumCapacityUnits !== undefined) {
    lines.push(`    minimum capacity: ${lb.minimumCapacityUnits} LCUs`);
  }
  return lines;
}

function targetGroupLines(tg: TargetGroup): string[] {
  const hc = tg.healthCheck;
  const targets =
    tg.targets === null
      ? 'unknown (no Nodes or EndpointSlices in the input)'
      : tg.targets.length === 0
        ? 'none'
        : tg.targets.map((t) => `${t.id}:${t.port}`).join(', ');
  const lines = [
    `  TargetGroup ${tg.name}  ${tg.targetType} ${tg.protocol}:${tg.port} ${tg.protocolVersion} ${tg.ipAddressType}  ← ${tg.service}`,
    `    health check: ${hc.protocol} ${hc.port} ${hc.path} every ${hc.intervalSeconds}s, timeout ${hc.timeoutSeconds}s, healthy after ${hc.healthyThresholdCount}, unhealthy after ${hc.unhealthyThresholdCount}, codes ${hc.successCodes}`,
  ];
  const attributes = Object.entries(tg.attributes);
  if (attributes.length > 0) {
    lines.push(`    attributes: ${attributes.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  }
  if (tg.targetControlPort !== undefined) {
    lines.push(`    target control port: ${tg.targetControlPort}`);
  }
  if (tg.multiCluster === true) {
    lines.push('    multi-cluster: only targets this cluster registered are ever deregistered');
  }
  lines.push(`    targets: ${targets}`);
  return lines;
}

function bindingLines(b: BindingPlan): string[] {
  const targets =
    b.targets === null
      ? b.targetType === null
        ? 'unknown (spec.targetType not given: the target group decides)'
        : 'unknown (no Nodes or EndpointSlices in the input)'
      : b.targets.length === 0
        ? 'none'
        : b.targets.map((t) => `${t.id}:${t.port}`).join(', ');
  const rules =
    b.rules === null
      ? 'unknown until the targets are'
      : b.rules.length === 0
        ? '(none)'
        : b.rules
            .map(
              (r) =>
                `${r.protocol}/${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`} from ${r.cidr ?? r.sourceGroupId ?? '?'}`,
            )
            .join(', ');
  return [
    `TargetGroupBinding ${b.binding}  ${b.targetType ?? "(target group's own type)"}  ← ${b.service}`,
    `  target group: ${b.targetGroup} (not managed by Albatross: only its targets)`,
    `  targets: ${targets}`,
    `  networking rules: ${rules}`,
  ];
}

function securityGroupLines(sg: SecurityGroup): string[] {
  const rules = sg.ingress.map(describePermission).join(', ');
  return [
    `  SecurityGroup ${sg.name}  ${JSON.stringify(sg.description)}`,
    `    inbound ${rules || '(none)'}`,
  ];
}

function describePermission(p: SecurityGroupIngress): string {
  const ports =
    p.protocol === '-1'
      ? 'all'
      : p.fromPort === p.toPort
        ? `tcp/${p.fromPort}`
        : `tcp/${p.fromPort}-${p.toPort}`;
  const source = p.cidrIpv4 ?? p.cidrIpv6 ?? p.prefixListId ?? p.sourceGroupRef ?? '?';
  const description = p.description === undefined ? '' : ` ${JSON.stringify(p.description)}`;
  return `${ports} from ${source}${description}`;
}

function summaryLine(report: PlanReport): string {
  const count = (op: StackChange['op']) => report.changes.filter((c) => c.op === op).length;
  const errors = report.problems.filter((p) => p.severity === 'error').length;
  const warnings = report.problems.length - errors;
  return (
    `Plan: ${count('create')} to create, ${count('update')} to update, ` +
    `${count('replace')} to replace, ${count('delete')} to delete; ` +
    `${errors} ${errors === 1 ? 'error' : 'errors'}, ${warnings} ${warnings === 1 ? 'warning' : 'warnings'}.`
  );
}
