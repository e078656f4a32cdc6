/**
 * What the demo prints: the cloud side as the emulator now holds it (ALB → listeners →
 * rules → target groups → targets), read back through the AWS API rather than taken
 * from the controller, and each Ingress's address.
 */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Rule,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { AwsClients } from './aws-clients.ts';

export interface IngressAddress {
  readonly key: string;
  readonly address: string | undefined;
}

export async function describeCloud(aws: AwsClients, clusterName: string): Promise<string[]> {
  const lines: string[] = [];
  const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const arns = lbs.map((lb) => lb.LoadBalancerArn ?? '');
  const tags =
    arns.length === 0
      ? []
      : ((await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: arns.slice(0, 20) })))
          .TagDescriptions ?? []);
  const ours = new Map(
    tags
      .filter((t) =>
        t.Tags?.some((tag) => tag.Key === 'albatross.dev/cluster' && tag.Value === clusterName),
      )
      .map((t) => [
        t.ResourceArn ?? '',
        t.Tags?.find((tag) => tag.Key === 'albatross.dev/stack')?.Value ?? '?',
      ]),
  );
  const tgNames = new Map<string, string>();
  for (const lb of lbs) {
    const stack = ours.get(lb.LoadBalancerArn ?? '');
    if (stack === undefined) continue;
    lines.push(
      `ALB ${lb.LoadBalancerName ?? ''} (group ${stack}, ${lb.Scheme ?? ''})  ${lb.DNSName?.toLowerCase() ?? ''}`,
    );
    const tgs =
      (
        await aws.elbv2.send(
          new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }),
        )
      ).TargetGroups ?? [];
    for (const tg of tgs) tgNames.set(tg.TargetGroupArn ?? '', tg.TargetGroupName ?? '');
    const listeners =
      (await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn })))
        .Listeners ?? [];
    for (const listener of [...listeners].sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0))) {
      lines.push(`  listener ${listener.Protocol ?? ''}:${String(listener.Port ?? '')}`);
      const rules =
        (await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn })))
          .Rules ?? [];
      for (const rule of [...rules].sort(byPriority)) lines.push(`    ${ruleLine(rule, tgNames)}`);
    }
    for (const tg of tgs) {
      const health =
        (
          await aws.elbv2.send(
            new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }),
          )
        ).TargetHealthDescriptions ?? [];
      const targets = health
        .map((h) => `${h.Target?.Id ?? ''}:${String(h.Target?.Port ?? '')}`)
        .sort();
      lines.push(
        `  target group ${tg.TargetGroupName ?? ''} (${tg.TargetType ?? ''} ${tg.Protocol ?? ''}) → ${targets.length === 0 ? 'no targets' : targets.join(', ')}`,
      );
    }
  }
  return lines;
}

function byPriority(a: Rule, b: Rule): number {
  const p = (r: Rule): number =>
    r.IsDefault === true ? Number.MAX_SAFE_INTEGER : Number(r.Priority);
  return p(a) - p(b);
}

function conditionText(c: RuleCondition): string {
  const values = (
    config: { Values?: string[] | undefined; RegexValues?: string[] | undefined } | undefined,
  ): string =>
    config?.RegexValues !== undefined
      ? `~${config.RegexValues.join('|')}`
      : (config?.Values ?? []).join('|');
  switch (c.Field) {
    case 'host-header':
      return `host ${values(c.HostHeaderConfig)}`;
    case 'path-pattern':
      return `path ${values(c.PathPatternConfig)}`;
    case 'http-header':
      return `header ${c.HttpHeaderConfig?.HttpHeaderName ?? ''} ${values(c.HttpHeaderConfig)}`;
    default:
      return c.Field ?? '?';
  }
}

function ruleLine(rule: Rule, tgNames: ReadonlyMap<string, string>): string {
  const when =
    rule.IsDefault === true ? 'default' : (rule.Conditions ?? []).map(conditionText).join(' and ');
  const then = (rule.Actions ?? [])
    .map((a) => {
      if (a.Type === 'forward') {
        const arns = a.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn ?? '') ?? [
          a.TargetGroupArn ?? '',
        ];
        return `forward to ${arns.map((arn) => tgNames.get(arn) ?? arn).join(', ')}`;
      }
      if (a.Type === 'fixed-response') return `fixed ${a.FixedResponseConfig?.StatusCode ?? ''}`;
      if (a.Type === 'redirect') return `redirect ${a.RedirectConfig?.StatusCode ?? ''}`;
      return a.Type ?? '?';
    })
    .join(', ');
  const rewrite = (rule.Transforms ?? []).length > 0 ? ' (rewritten)' : '';
  const priority = rule.IsDefault === true ? '' : `${rule.Priority ?? ''}  `;
  return `${priority}${when} → ${then}${rewrite}`;
}

export function addressLines(addresses: readonly IngressAddress[]): string[] {
  return addresses.map((a) => `Ingress ${a.key}  ${a.address ?? '(no address yet)'}`);
}
