/** Reads what moto holds for one stack, and what the API server recorded, for live tests. */
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  type Listener,
  type LoadBalancer,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';

export interface LiveStack {
  readonly loadBalancer: LoadBalancer;
  readonly listeners: ReadonlyMap<number, Listener>;
  /** Non-default rules of each listener port, by ascending priority. */
  readonly rules: ReadonlyMap<number, readonly Rule[]>;
}

/** The ALB tagged with `albatross.dev/stack=<stack>`, or undefined when there is none. */
export async function findStack(aws: AwsClients, stack: string): Promise<LiveStack | undefined> {
  const lbs = (await aws.elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  if (lbs.length === 0) return undefined;
  const tags = await aws.elbv2.send(
    new DescribeTagsCommand({ ResourceArns: lbs.map((lb) => lb.LoadBalancerArn ?? '') }),
  );
  const arn = tags.TagDescriptions?.find((d) =>
    d.Tags?.some((t) => t.Key === 'albatross.dev/stack' && t.Value === stack),
  )?.ResourceArn;
  const loadBalancer = lbs.find((lb) => lb.LoadBalancerArn === arn);
  if (loadBalancer === undefined) return undefined;
  const found = await aws.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }));
  const listeners = new Map((found.Listeners ?? []).map((l) => [l.Port ?? 0, l]));
  const rules = new Map<number, Rule[]>();
  for (const [port, l] of listeners) {
    const r = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
    rules.set(
      port,
      (r.Rules ?? [])
        .filter((x) => x.IsDefault !== true)
        .sort((a, b) => Number(a.Priority) - Number(b.Priority)),
    );
  }
  return { loadBalancer, listeners, rules };
}

/** Warning Events recorded on one Ingress. */
export async function warnings(
  core: CoreV1Api,
  namespace: string,
  ingress: string,
): Promise<readonly CoreV1Event[]> {
  const events = await core.listNamespacedEvent({ namespace });
  return events.items.filter(
    (e) =>
      e.type === 'Warning' &&
      e.involvedObject.kind === 'Ingress' &&
      e.involvedObject.name === ingress,
  );
}

/** Whether one of `events` has a message containing every one of `parts`. */
export function mentions(events: readonly CoreV1Event[], ...parts: readonly string[]): boolean {
  return events.some((e) => parts.every((p) => (e.message ?? '').includes(p)));
}
