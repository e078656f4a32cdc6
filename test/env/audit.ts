/**
 * The invariant audit any live test can run after a converge or a delete: what a user
 * would find wrong if they looked at the account and the cluster. It reads with the
 * test's own clients (never counted as the controller's) and returns every violation
 * as a sentence, so a failing test says what is wrong, not just that something is.
 *
 * Per group (the `albatross.dev/stack` tag): exactly one load balancer, no second
 * listener on a port (and the ports the caller expects, when given), no two rules of a
 * listener with the same conditions, no rule forwarding to a target group that does not
 * exist, no target group or security group twice for one stack resource, every target
 * group used and (unless told otherwise) with targets. Per Ingress holding our
 * finalizer: its status address is the DNS name of its group's load balancer, and it is
 * not stuck deleting. Whatever carries our cluster tag but belongs to no group left in
 * the audited namespaces is a leak, except the cluster's own resources (the shared
 * backend security group and backend rules) while some group still needs them.
 */
import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Action,
  type DescribeTargetGroupsCommandOutput,
  type Listener,
  type LoadBalancer,
  type Rule,
  type RuleCondition,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { NetworkingV1Api, type V1Ingress } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import {
  EXPLICIT_GROUP_FINALIZER_PREFIX,
  IMPLICIT_GROUP_FINALIZER,
} from '../../pkg/ingress/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../../pkg/naming/index.ts';
import type { TestEnv } from './testenv.ts';

export interface AuditOptions {
  /** The namespaces whose Ingresses the test made; groups elsewhere are not looked at. */
  readonly namespaces: readonly string[];
  /** Listener ports a group must have, by group id (`ns/name` or the group name). */
  readonly listenerPorts?: Readonly<Record<string, readonly number[]>>;
  /** Every target group has at least one registered target. @default true */
  readonly targetsRequired?: boolean;
  /**
   * The controller watches one namespace (`--watch-namespace`), so it rightly keeps the
   * cluster's shared backend security group and rules after its last group: it cannot
   * know that no other namespace needs them. @default false
   */
  readonly namespacedController?: boolean;
}

export interface AuditReport {
  /** Every violation found, as a sentence; empty when the audit is clean. */
  readonly problems: readonly string[];
  /** What was looked at, for the test's log. */
  readonly counted: {
    readonly groups: number;
    readonly ingresses: number;
    readonly loadBalancers: number;
    readonly targetGroups: number;
    readonly securityGroups: number;
    readonly rules: number;
  };
}

type Tags = Readonly<Record<string, string>>;

interface Owned<T> {
  readonly item: T;
  readonly arn: string;
  readonly tags: Tags;
}

/** Reads the account and the audited namespaces once and lists every violation. */
export async function audit(env: TestEnv, options: AuditOptions): Promise<AuditReport> {
  const problems: string[] = [];
  const ingresses = await ourIngresses(env, options.namespaces);
  const liveGroups = new Set(
    ingresses.filter((i) => i.metadata?.deletionTimestamp === undefined).flatMap(groupsOf),
  );
  const { lbs, tgs } = await ourElbv2(env);
  const sgs = await ourSecurityGroups(env);
  let ruleCount = 0;

  const lbsByStack = groupBy(lbs, (lb) => lb.tags[TAG_STACK] ?? '');
  for (const [stack, list] of lbsByStack) {
    if (list.length > 1) {
      problems.push(`group ${stack} has ${String(list.length)} load balancers: ${names(list)}`);
    }
    if (!liveGroups.has(stack)) problems.push(`load balancer ${names(list)} of ${stack} leaked`);
  }

  const tgArns = new Set(tgs.map((t) => t.arn));
  const usedTgs = new Set<string>();
  for (const lb of lbs) {
    const stack = lb.tags[TAG_STACK] ?? '';
    const listeners = await listenersOf(env, lb.arn);
    for (const [port, same] of groupBy(listeners, (l) => String(l.Port ?? 0))) {
      if (same.length > 1) {
        problems.push(
          `${lb.item.LoadBalancerName ?? lb.arn} has ${String(same.length)} listeners on port ${port}`,
        );
      }
    }
    const want = options.listenerPorts?.[stack];
    if (want !== undefined) {
      const have = [...new Set(listeners.map((l) => l.Port ?? 0))].sort((a, b) => a - b);
      const wanted = [...want].sort((a, b) => a - b);
      if (have.join(',') !== wanted.join(',')) {
        problems.push(
          `group ${stack} has listeners on [${have.join(', ')}], wants [${wanted.join(', ')}]`,
        );
      }
    }
    for (const listener of listeners) {
      for (const tg of forwardsTo(listener.DefaultActions ?? [])) usedTgs.add(tg);
      const rules = await rulesOf(env, listener.ListenerArn ?? '');
      ruleCount += rules.length;
      for (const [, same] of groupBy(rules, (r) => conditionKey(r.Conditions ?? []))) {
        if (same.length > 1) {
          problems.push(
            `listener ${String(listener.Port ?? 0)} of ${stack} has ${String(same.length)} rules with the same conditions (priorities ${same.map((r) => r.Priority ?? '?').join(', ')})`,
          );
        }
      }
      for (const rule of rules) {
        for (const tg of forwardsTo(rule.Actions ?? [])) {
          usedTgs.add(tg);
          if (!tgArns.has(tg)) {
            problems.push(
              `rule ${rule.Priority ?? '?'} on port ${String(listener.Port ?? 0)} of ${stack} forwards to a missing target group ${tg}`,
            );
          }
        }
      }
    }
  }

  for (const [key, list] of groupBy(tgs, stackResource)) {
    if (list.length > 1)
      problems.push(`${key} has ${String(list.length)} target groups: ${names(list)}`);
  }
  for (const tg of tgs) {
    const stack = tg.tags[TAG_STACK] ?? '';
    const name = tg.item.TargetGroupName ?? tg.arn;
    if (!liveGroups.has(stack)) {
      problems.push(`target group ${name} of ${stack} leaked`);
      continue;
    }
    if (!usedTgs.has(tg.arn))
      problems.push(`target group ${name} of ${stack} is used by no listener or rule`);
    if (options.targetsRequired !== false && (await targetCount(env, tg.arn)) === 0) {
      problems.push(`target group ${name} of ${stack} has no targets`);
    }
  }

  for (const [key, list] of groupBy(
    sgs.filter((g) => g.tags[TAG_STACK] !== undefined),
    stackResource,
  )) {
    if (list.length > 1) {
      problems.push(
        `${key} has ${String(list.length)} security groups: ${list.map((g) => g.arn).join(', ')}`,
      );
    }
  }
  for (const sg of sgs) {
    const stack = sg.tags[TAG_STACK];
    if (stack !== undefined && !liveGroups.has(stack)) {
      problems.push(`security group ${sg.arn} (${sg.item.GroupName ?? ''}) of ${stack} leaked`);
    }
    if (stack === undefined && liveGroups.size === 0 && options.namespacedController !== true) {
      problems.push(
        `cluster security group ${sg.arn} (${sg.item.GroupName ?? ''}) left after the last group went`,
      );
    }
  }
  if (liveGroups.size === 0 && options.namespacedController !== true) {
    const rules = await ourSecurityGroupRules(env);
    if (rules > 0)
      problems.push(`${String(rules)} backend security-group rules left after the last group went`);
  }

  const dnsByStack = new Map(
    [...lbsByStack].map(([stack, list]) => [
      stack,
      new Set(list.map((l) => (l.item.DNSName ?? '').toLowerCase())),
    ]),
  );
  for (const ing of ingresses) {
    const name = `${ing.metadata?.namespace ?? ''}/${ing.metadata?.name ?? ''}`;
    if (ing.metadata?.deletionTimestamp !== undefined) {
      problems.push(
        `Ingress ${name} is stuck deleting with finalizers ${(ing.metadata.finalizers ?? []).join(', ')}`,
      );
      continue;
    }
    const address = (ing.status?.loadBalancer?.ingress ?? []).map((a) =>
      (a.hostname ?? '').toLowerCase(),
    );
    for (const group of groupsOf(ing)) {
      const dns = dnsByStack.get(group);
      if (dns === undefined) {
        problems.push(`Ingress ${name}: its group ${group} has no load balancer`);
      } else if (address.length === 0 || !address.every((a) => dns.has(a))) {
        problems.push(
          `Ingress ${name}: status says [${address.join(', ')}], the load balancer of ${group} is ${[...dns].join(', ')}`,
        );
      }
    }
  }

  return {
    problems,
    counted: {
      groups: liveGroups.size,
      ingresses: ingresses.length,
      loadBalancers: lbs.length,
      targetGroups: tgs.length,
      securityGroups: sgs.length,
      rules: ruleCount,
    },
  };
}

/**
 * Audits until clean or `timeoutMs` passes (a controller may still be working); returns
 * the last report, clean or not, for the test to assert on.
 */
export async function auditUntilClean(
  env: TestEnv,
  options: AuditOptions,
  timeoutMs: number,
): Promise<AuditReport> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const report = await audit(env, options);
    if (report.problems.length === 0 || Date.now() > until) return report;
    await delay(1000);
  }
}

/** The groups an Ingress holding our finalizer belongs to, by its finalizers. */
function groupsOf(ing: V1Ingress): string[] {
  const ns = ing.metadata?.namespace ?? '';
  return (ing.metadata?.finalizers ?? []).flatMap((f) => {
    if (f === IMPLICIT_GROUP_FINALIZER) return [`${ns}/${ing.metadata?.name ?? ''}`];
    if (f.startsWith(EXPLICIT_GROUP_FINALIZER_PREFIX))
      return [f.slice(EXPLICIT_GROUP_FINALIZER_PREFIX.length)];
    return [];
  });
}

async function ourIngresses(env: TestEnv, namespaces: readonly string[]): Promise<V1Ingress[]> {
  const net = env.kc.makeApiClient(NetworkingV1Api);
  const out: V1Ingress[] = [];
  for (const namespace of namespaces) {
    const list = await net.listNamespacedIngress({ namespace });
    out.push(...list.items.filter((i) => groupsOf(i).length > 0));
  }
  return out;
}

async function ourElbv2(env: TestEnv): Promise<{
  lbs: Owned<LoadBalancer>[];
  tgs: Owned<TargetGroup>[];
}> {
  const { elbv2 } = env.aws;
  const lbList: LoadBalancer[] = [];
  let marker: string | undefined;
  do {
    const page = await elbv2.send(new DescribeLoadBalancersCommand({ Marker: marker }));
    lbList.push(...(page.LoadBalancers ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined);
  const tgList: TargetGroup[] = [];
  marker = undefined;
  do {
    const page: DescribeTargetGroupsCommandOutput = await elbv2.send(
      new DescribeTargetGroupsCommand({ Marker: marker }),
    );
    tgList.push(...(page.TargetGroups ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined);
  const tags = await elbv2Tags(env, [
    ...lbList.map((l) => l.LoadBalancerArn ?? ''),
    ...tgList.map((t) => t.TargetGroupArn ?? ''),
  ]);
  const own = <T>(item: T, arn: string): Owned<T>[] => {
    const t = tags.get(arn) ?? {};
    return t[TAG_CLUSTER] === env.clusterName ? [{ item, arn, tags: t }] : [];
  };
  return {
    lbs: lbList.flatMap((l) => own(l, l.LoadBalancerArn ?? '')),
    tgs: tgList.flatMap((t) => own(t, t.TargetGroupArn ?? '')),
  };
}

async function elbv2Tags(env: TestEnv, arns: readonly string[]): Promise<Map<string, Tags>> {
  const out = new Map<string, Tags>();
  for (let i = 0; i < arns.length; i += 20) {
    const res = await env.aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }),
    );
    for (const d of res.TagDescriptions ?? []) {
      out.set(
        d.ResourceArn ?? '',
        Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      );
    }
  }
  return out;
}

async function ourSecurityGroups(env: TestEnv): Promise<Owned<SecurityGroup>[]> {
  const res = await env.aws.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${TAG_CLUSTER}`, Values: [env.clusterName] }],
    }),
  );
  return (res.SecurityGroups ?? []).map((g) => ({
    item: g,
    arn: g.GroupId ?? '',
    tags: Object.fromEntries((g.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  }));
}

async function ourSecurityGroupRules(env: TestEnv): Promise<number> {
  const res = await env.aws.ec2.send(
    new DescribeSecurityGroupRulesCommand({
      Filters: [{ Name: `tag:${TAG_CLUSTER}`, Values: [env.clusterName] }],
    }),
  );
  return (res.SecurityGroupRules ?? []).length;
}

async function listenersOf(env: TestEnv, lbArn: string): Promise<Listener[]> {
  const res = await env.aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
  return res.Listeners ?? [];
}

async function rulesOf(env: TestEnv, listenerArn: string): Promise<Rule[]> {
  const res = await env.aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  return (res.Rules ?? []).filter((r) => r.IsDefault !== true);
}

async function targetCount(env: TestEnv, tgArn: string): Promise<number> {
  const res = await env.aws.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return (res.TargetHealthDescriptions ?? []).filter((d) => d.TargetHealth?.State !== 'draining')
    .length;
}

function forwardsTo(actions: readonly Action[]): string[] {
  return actions.flatMap((a) => [
    ...(a.TargetGroupArn !== undefined ? [a.TargetGroupArn] : []),
    ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn ?? ''),
  ]);
}

/** The same conditions give the same key whatever their order or the SDK's field layout. */
function conditionKey(conditions: readonly RuleCondition[]): string {
  return conditions
    .map((c) => JSON.stringify(sortedKeys(c)))
    .sort()
    .join('|');
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sortedKeys(v)]),
  );
}

function stackResource<T>(o: Owned<T>): string {
  return `${o.tags[TAG_STACK] ?? '(no stack)'} ${o.tags[TAG_RESOURCE] ?? '(no resource)'}`;
}

function names(list: readonly Owned<LoadBalancer | TargetGroup>[]): string {
  return list
    .map((o) =>
      'LoadBalancerName' in o.item
        ? (o.item.LoadBalancerName ?? o.arn)
        : ((o.item as TargetGroup).TargetGroupName ?? o.arn),
    )
    .join(', ');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}
