/**
 * `albatross plan --output text`: a review of what would be built, like a
 * `terraform plan`. Per group: the ALB, each listener with its rules in priority order
 * (conditions → actions), the target groups and their targets, the security groups; then
 * the changes marked `+` create, `~` update, `±` replace, `-` delete; then the problems.
 * Pure: report in, text out.
 */
import type {
  LoadBalancerAddons,
  Listener,
  LoadBalancer,
  SecurityGroup,
  SecurityGroupIngress,
  Stack,
  TargetGroup,
} from '../model/index.ts';
import { showSubnetTags } from '../model/index.ts';
import { renderChange } from '../plan/index.ts';
import { describeActions, describeConditions, describeTransform } from './describe-rule.ts';
import type { BindingPlan } from './plan-bindings.ts';
import type { PlanReport, StackChange } from './plan-report.ts';
import { rulesOf } from './render-json.ts';

export function renderPlanText(report: PlanReport): string {
  const lines: string[] = [];
  if (report.stacks.length === 0 && (report.bindings ?? []).length === 0)
    lines.push('No Ingress of ours in the input: nothing to plan.');
  for (const stack of report.stacks) {
    lines.push(...stackLines(stack), '');
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

function stackLines(stack: Stack): string[] {
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
  lines.push(...loadBalancerLines(stack.loadBalancer));
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
    for (const rule of rulesOf(listener, stack.rules)) {
      lines.push(
        `    ${String(rule.priority).padStart(3)}  ${describeConditions(rule.conditions)}`,
      );
      for (const transform of rule.transforms)
        lines.push(`         ${describeTransform(transform)}`);
      lines.push(`         → ${describeActions(rule.actions, targetGroups)}    (${rule.member})`);
    }
    lines.push(`    default → ${describeActions(listener.defaultActions, targetGroups)}`);
  }
  for (const tg of stack.targetGroups) lines.push(...targetGroupLines(tg));
  for (const sg of stack.securityGroups) lines.push(...securityGroupLines(sg));
  if (stack.addons !== undefined) lines.push(`  add-ons: ${addonsText(stack.addons)}`);
  return lines;
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
  return [
    `  TargetGroup ${tg.name}  ${tg.targetType} ${tg.ipAddressType} ${tg.protocol}:${tg.port}${tg.protocolVersion === 'HTTP1' ? '' : ` ${tg.protocolVersion}`}  ← ${tg.service}`,
    `    health check: ${hc.protocol} ${hc.port} ${hc.path} every ${hc.intervalSeconds}s, codes ${hc.successCodes}`,
    `    targets: ${targets}`,
  ];
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
  return [`  SecurityGroup ${sg.name}  inbound ${rules || '(none)'}`];
}

function describePermission(p: SecurityGroupIngress): string {
  const ports =
    p.protocol === '-1'
      ? 'all'
      : p.fromPort === p.toPort
        ? `tcp/${p.fromPort}`
        : `tcp/${p.fromPort}-${p.toPort}`;
  const source = p.cidrIpv4 ?? p.cidrIpv6 ?? p.prefixListId ?? p.sourceGroupRef ?? '?';
  return `${ports} from ${source}`;
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
