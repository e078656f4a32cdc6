/**
 * One load balancer of a stack as ELBv2 describes it: its attributes, its listeners with
 * their attributes and certificates, and their rules, with the tags of every listener and
 * rule, only what carries our cluster and stack tags kept. Read as AWS answers it (SDK
 * shapes), so that discovery can choose among duplicates (duplicates.ts) before it maps
 * target group ARNs to stack ids.
 *
 * Reads for L listeners and R rules: 1 attributes + 1 DescribeListeners + 1 capacity
 * read, L DescribeRules, L listener attributes, ⌈(L+R)/20⌉ DescribeTags (and one
 * certificate read per HTTPS listener).
 */
import {
  DescribeListenerAttributesCommand,
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeRulesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Listener as SdkListener,
  LoadBalancer as SdkLoadBalancer,
  Rule as SdkRule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes, Tags } from '../model/index.ts';
import { TAG_CLUSTER, TAG_RESOURCE, TAG_STACK } from '../naming/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';
import { fromSdkAttributes } from './from-sdk.ts';
import { describeTags } from './lagging-index.ts';
import { describeCapacityUnits } from './load-balancer-addressing.ts';

export interface ReadRule {
  readonly rule: SdkRule;
  readonly arn: string;
  /** Our `albatross.dev/resource` id of the rule. */
  readonly id: string;
  readonly tags: Tags;
}

export interface ReadListener {
  readonly listener: SdkListener;
  readonly arn: string;
  /** Our `albatross.dev/resource` id of the listener. */
  readonly id: string;
  readonly attributes: Attributes;
  readonly certificates: readonly { readonly certificateArn: string }[];
  readonly tags: Tags;
  /** Our rules on it, the default rule left out. */
  readonly rules: readonly ReadRule[];
}

export interface ReadLoadBalancer {
  readonly lb: SdkLoadBalancer;
  readonly arn: string;
  readonly tags: Tags;
  readonly attributes: Attributes;
  readonly capacityUnits: number | undefined;
  /** Our listeners on it. */
  readonly listeners: readonly ReadListener[];
}

function ours(tags: Tags, ctx: DeployContext, stackId: string): boolean {
  return tags[TAG_CLUSTER] === ctx.clusterName && tags[TAG_STACK] === stackId;
}

async function describeListeners(ctx: DeployContext, loadBalancerArn: string) {
  const listeners: SdkListener[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeListeners', () =>
      ctx.clients.elbv2.send(
        new DescribeListenersCommand({
          LoadBalancerArn: loadBalancerArn,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    listeners.push(...(page.Listeners ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined);
  return listeners;
}

/** A listener's rules, the default rule left out. */
export async function describeRules(ctx: DeployContext, listenerArn: string) {
  const rules: SdkRule[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeRules', () =>
      ctx.clients.elbv2.send(
        new DescribeRulesCommand({
          ListenerArn: listenerArn,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker !== undefined);
  return rules.filter((rule) => rule.IsDefault !== true);
}

/** Certificates with the default first: DescribeListeners reports only the default. */
async function listenerCertificates(ctx: DeployContext, listener: SdkListener) {
  if (listener.Protocol !== 'HTTPS' || listener.ListenerArn === undefined) return [];
  const arn = listener.ListenerArn;
  const all: { certificateArn: string; isDefault: boolean }[] = [];
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'DescribeListenerCertificates', () =>
      ctx.clients.elbv2.send(
        new DescribeListenerCertificatesCommand({
          ListenerArn: arn,
          ...(marker === undefined ? {} : { Marker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    for (const c of page.Certificates ?? []) {
      if (c.CertificateArn !== undefined) {
        all.push({ certificateArn: c.CertificateArn, isDefault: c.IsDefault === true });
      }
    }
    marker = page.NextMarker;
  } while (marker !== undefined);
  const defaults = (listener.Certificates ?? []).flatMap((c) =>
    c.CertificateArn === undefined ? [] : [c.CertificateArn],
  );
  const first = all.find((c) => c.isDefault)?.certificateArn ?? defaults[0];
  const rest = all.filter((c) => !c.isDefault && c.certificateArn !== first);
  return [
    ...(first === undefined ? [] : [{ certificateArn: first }]),
    ...rest.map((c) => ({ certificateArn: c.certificateArn })),
  ];
}

/** The load balancer `lb` (ours, tagged `tags`) with our listeners and rules on it. */
export async function readLoadBalancer(
  ctx: DeployContext,
  stackId: string,
  lb: SdkLoadBalancer,
  tags: Tags,
): Promise<ReadLoadBalancer> {
  const arn = lb.LoadBalancerArn ?? '';
  const [attributes, sdkListeners, capacityUnits] = await Promise.all([
    call(ctx, 'DescribeLoadBalancerAttributes', () =>
      ctx.clients.elbv2.send(
        new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }),
        sendOptions(ctx),
      ),
    ),
    describeListeners(ctx, arn),
    describeCapacityUnits(ctx, arn),
  ]);
  const perListener = await Promise.all(
    sdkListeners.map(async (listener) => {
      const listenerArn = listener.ListenerArn ?? '';
      const [listenerAttributes, certificates, sdkRules] = await Promise.all([
        call(ctx, 'DescribeListenerAttributes', () =>
          ctx.clients.elbv2.send(
            new DescribeListenerAttributesCommand({ ListenerArn: listenerArn }),
            sendOptions(ctx),
          ),
        ),
        listenerCertificates(ctx, listener),
        describeRules(ctx, listenerArn),
      ]);
      return { listener, listenerAttributes, certificates, sdkRules };
    }),
  );
  const tagsByArn = await describeTags(ctx, [
    ...perListener.map((l) => l.listener.ListenerArn ?? ''),
    ...perListener.flatMap((l) => l.sdkRules.map((r) => r.RuleArn ?? '')),
  ]);
  const listeners: ReadListener[] = [];
  for (const { listener, listenerAttributes, certificates, sdkRules } of perListener) {
    const listenerArn = listener.ListenerArn ?? '';
    const listenerTags = tagsByArn.get(listenerArn) ?? {};
    const listenerId = listenerTags[TAG_RESOURCE];
    if (listenerId === undefined || !ours(listenerTags, ctx, stackId)) continue;
    const rules: ReadRule[] = [];
    for (const rule of sdkRules) {
      const ruleTags = tagsByArn.get(rule.RuleArn ?? '') ?? {};
      const ruleId = ruleTags[TAG_RESOURCE];
      if (rule.RuleArn === undefined || ruleId === undefined || !ours(ruleTags, ctx, stackId)) {
        continue;
      }
      rules.push({ rule, arn: rule.RuleArn, id: ruleId, tags: ruleTags });
    }
    listeners.push({
      listener,
      arn: listenerArn,
      id: listenerId,
      attributes: fromSdkAttributes(listenerAttributes.Attributes),
      certificates,
      tags: listenerTags,
      rules,
    });
  }
  return {
    lb,
    arn,
    tags,
    attributes: fromSdkAttributes(attributes.Attributes),
    capacityUnits,
    listeners,
  };
}
