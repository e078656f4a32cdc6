/**
 * What e2e tests create in the cluster and read back from the emulator: Services,
 * EndpointSlices and Ingresses by name, and a view of the load balancers, target groups
 * and security groups in moto, each marked ours (carries our cluster tag) or not.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CoreV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Ingress,
} from '@kubernetes/client-node';
import type { TestEnv } from '../env/testenv.ts';

export const CLUSTER_TAG = 'albatross.dev/cluster';
export const FINALIZER = 'albatross.dev/resources';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Polls `check` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`, { cause: lastError });
    }
    await delay(100);
  }
}

export interface PathSpec {
  readonly path: string;
  readonly service: string;
  readonly host?: string;
}

export function ingressManifest(
  name: string,
  paths: readonly PathSpec[],
  annotations: Readonly<Record<string, string>> = {},
): V1Ingress {
  const hosts = [...new Set(paths.map((p) => p.host))];
  return {
    metadata: { name, annotations: { ...annotations } },
    spec: {
      ingressClassName: 'alb',
      rules: hosts.map((host) => ({
        ...(host !== undefined ? { host } : {}),
        http: {
          paths: paths
            .filter((p) => p.host === host)
            .map((p) => ({
              path: p.path,
              pathType: 'Prefix',
              backend: { service: { name: p.service, port: { number: 80 } } },
            })),
        },
      })),
    },
  };
}

/** The cluster side of one test namespace. */
export class Cluster {
  readonly ns: string;
  readonly core: CoreV1Api;
  readonly net: NetworkingV1Api;
  readonly discovery: DiscoveryV1Api;
  #pokes = 0;

  constructor(env: TestEnv, ns: string) {
    this.ns = ns;
    this.core = env.kc.makeApiClient(CoreV1Api);
    this.net = env.kc.makeApiClient(NetworkingV1Api);
    this.discovery = env.kc.makeApiClient(DiscoveryV1Api);
  }

  async service(name: string, type: 'NodePort' | 'ClusterIP' = 'NodePort'): Promise<void> {
    await this.core.createNamespacedService({
      namespace: this.ns,
      body: {
        metadata: { name },
        spec: {
          type,
          selector: { app: name },
          ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
      },
    });
  }

  /** Creates or replaces the one EndpointSlice of `service` with these ready pod IPs. */
  async endpoints(service: string, ips: readonly string[]): Promise<void> {
    const name = `${service}-pods`;
    const body = {
      metadata: { name, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    };
    try {
      const current = await this.discovery.readNamespacedEndpointSlice({
        name,
        namespace: this.ns,
      });
      await this.discovery.replaceNamespacedEndpointSlice({
        name,
        namespace: this.ns,
        body: {
          ...body,
          metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' },
        },
      });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await this.discovery.createNamespacedEndpointSlice({ namespace: this.ns, body });
    }
  }

  async createIngress(ingress: V1Ingress): Promise<void> {
    await this.net.createNamespacedIngress({ namespace: this.ns, body: ingress });
  }

  /** Replaces spec and annotations of an Ingress, keeping what the controller wrote. */
  async updateIngress(ingress: V1Ingress): Promise<void> {
    const name = ingress.metadata?.name ?? '';
    const current = await this.ingress(name);
    if (current === undefined) throw new Error(`no Ingress ${name}`);
    current.metadata = current.metadata ?? {};
    current.metadata.annotations = { ...ingress.metadata?.annotations };
    current.spec = ingress.spec ?? {};
    await this.net.replaceNamespacedIngress({ name, namespace: this.ns, body: current });
  }

  async deleteIngress(name: string): Promise<void> {
    await this.net.deleteNamespacedIngress({ name, namespace: this.ns });
  }

  /** An annotation nobody reads: makes the controller reconcile the group, changing nothing. */
  async poke(name: string): Promise<void> {
    this.#pokes += 1;
    await this.net.patchNamespacedIngress(
      {
        name,
        namespace: this.ns,
        body: { metadata: { annotations: { 'e2e.albatross.dev/poke': String(this.#pokes) } } },
      },
      mergePatch,
    );
  }

  /** The Ingress now, or undefined once it is gone. */
  async ingress(name: string): Promise<V1Ingress | undefined> {
    try {
      return await this.net.readNamespacedIngress({ name, namespace: this.ns });
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }

  async address(name: string): Promise<string | undefined> {
    return (await this.ingress(name))?.status?.loadBalancer?.ingress?.[0]?.hostname;
  }

  /** Warning Events on one Ingress, as `reason: message`. */
  async warnings(name: string): Promise<string[]> {
    const events = await this.core.listNamespacedEvent({
      namespace: this.ns,
      fieldSelector: `involvedObject.name=${name},type=Warning`,
    });
    return events.items.map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
  }
}

export interface LbView {
  readonly arn: string;
  readonly name: string;
  readonly dnsName: string;
  readonly ours: boolean;
  readonly listeners: readonly { readonly arn: string; readonly port: number }[];
  /** Non-default rules of every listener. */
  readonly rules: readonly Rule[];
}

export interface TgView {
  readonly arn: string;
  readonly name: string;
  readonly ours: boolean;
  readonly targetType: string;
  readonly healthCheckPath: string | undefined;
  readonly targets: readonly string[];
}

export interface AwsView {
  readonly lbs: readonly LbView[];
  readonly tgs: readonly TgView[];
  /** Security groups carrying our cluster tag, by name. */
  readonly ourSecurityGroups: readonly string[];
  ourLbs(): readonly LbView[];
  ourTgs(): readonly TgView[];
}

async function tagsOf(env: TestEnv, arns: readonly string[]): Promise<Map<string, boolean>> {
  const ours = new Map<string, boolean>();
  for (let i = 0; i < arns.length; i += 20) {
    const res = await env.aws.elbv2.send(
      new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }),
    );
    for (const d of res.TagDescriptions ?? []) {
      const cluster = d.Tags?.find((t) => t.Key === CLUSTER_TAG)?.Value;
      ours.set(d.ResourceArn ?? '', cluster === env.clusterName);
    }
  }
  return ours;
}

/** Everything in the emulator, read with the test's own clients (not counted as the controller's). */
export async function awsView(env: TestEnv): Promise<AwsView> {
  const { elbv2, ec2 } = env.aws;
  const lbList = (await elbv2.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const tgList = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const ours = await tagsOf(env, [
    ...lbList.map((l) => l.LoadBalancerArn ?? ''),
    ...tgList.map((t) => t.TargetGroupArn ?? ''),
  ]);
  const lbs: LbView[] = [];
  for (const lb of lbList) {
    const arn = lb.LoadBalancerArn ?? '';
    const listeners =
      (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? [];
    const rules: Rule[] = [];
    for (const l of listeners) {
      const res = await elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }));
      rules.push(...(res.Rules ?? []).filter((r) => r.IsDefault !== true));
    }
    lbs.push({
      arn,
      name: lb.LoadBalancerName ?? '',
      dnsName: (lb.DNSName ?? '').toLowerCase(),
      ours: ours.get(arn) ?? false,
      listeners: listeners.map((l) => ({ arn: l.ListenerArn ?? '', port: l.Port ?? 0 })),
      rules,
    });
  }
  const tgs: TgView[] = [];
  for (const tg of tgList) {
    const arn = tg.TargetGroupArn ?? '';
    const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
    tgs.push({
      arn,
      name: tg.TargetGroupName ?? '',
      ours: ours.get(arn) ?? false,
      targetType: tg.TargetType ?? '',
      healthCheckPath: tg.HealthCheckPath,
      targets: (health.TargetHealthDescriptions ?? [])
        .map((d) => `${d.Target?.Id ?? ''}:${String(d.Target?.Port ?? '')}`)
        .sort(),
    });
  }
  const sgs = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [{ Name: `tag:${CLUSTER_TAG}`, Values: [env.clusterName] }],
    }),
  );
  return {
    lbs,
    tgs,
    ourSecurityGroups: (sgs.SecurityGroups ?? []).map((g) => g.GroupName ?? '').sort(),
    ourLbs: () => lbs.filter((l) => l.ours),
    ourTgs: () => tgs.filter((t) => t.ours),
  };
}

/** Path patterns and host headers of rules, and the target groups they forward to. */
export function ruleSummary(rule: Rule): {
  paths: string[];
  hosts: string[];
  forwardsTo: string[];
} {
  const conditions = rule.Conditions ?? [];
  const actions = rule.Actions ?? [];
  return {
    paths: conditions
      .flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? [])
      .filter((v) => v.startsWith('/')),
    hosts: conditions.flatMap((c) => c.HostHeaderConfig?.Values ?? []),
    forwardsTo: [
      ...new Set(
        actions.flatMap((a) => [
          ...(a.TargetGroupArn !== undefined ? [a.TargetGroupArn] : []),
          ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn ?? ''),
        ]),
      ),
    ],
  };
}
