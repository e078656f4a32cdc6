/**
 * Reads that keep discovery right while the Resource Groups Tagging API lags behind
 * ELBv2. On AWS the index is eventually consistent: an ARN deleted a moment ago is still
 * listed, and a load balancer or target group created a moment ago is not listed yet.
 * So the index only proposes ARNs; ELBv2 describes, by ARN or by name, decide what
 * exists.
 *
 * Describes by ARN or name fail as a whole when one of them does not exist
 * (LoadBalancerNotFound, TargetGroupNotFound). Only then are the items of the failed
 * batch described one by one, and those gone are dropped: in the usual case each
 * confirmation is one batched read.
 */
import {
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  LoadBalancer as SdkLoadBalancer,
  TargetGroup as SdkTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { AwsError } from '../aws/index.ts';
import type { Tags } from '../model/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';
import { fromSdkTags } from './from-sdk.ts';

const LOAD_BALANCER_TYPE = 'elasticloadbalancing:loadbalancer';
const TARGET_GROUP_TYPE = 'elasticloadbalancing:targetgroup';

/** DescribeTags, DescribeTargetGroups and DescribeLoadBalancers take at most 20 per call. */
const BATCH = 20;

/** ELBv2 answers these when one of the ARNs or names asked for does not exist. */
const GONE = new Set(['LoadBalancerNotFound', 'TargetGroupNotFound']);

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * ARN → tags of the load balancers and target groups the tagging index lists for
 * `filters`: one paginated call. What it says may lag; see the top of this file.
 */
export async function taggedResources(
  ctx: DeployContext,
  filters: { Key: string; Values?: string[] }[],
): Promise<Map<string, Tags>> {
  const found = new Map<string, Tags>();
  let token: string | undefined;
  do {
    const page = await call(ctx, 'GetResources', () =>
      ctx.clients.tagging.send(
        new GetResourcesCommand({
          TagFilters: filters,
          ResourceTypeFilters: [LOAD_BALANCER_TYPE, TARGET_GROUP_TYPE],
          ...(token === undefined ? {} : { PaginationToken: token }),
        }),
        sendOptions(ctx),
      ),
    );
    for (const mapping of page.ResourceTagMappingList ?? []) {
      if (mapping.ResourceARN !== undefined) {
        found.set(mapping.ResourceARN, fromSdkTags(mapping.Tags));
      }
    }
    token = page.PaginationToken === '' ? undefined : page.PaginationToken;
  } while (token !== undefined);
  return found;
}

export function isLoadBalancerArn(arn: string): boolean {
  return arn.includes(':loadbalancer/');
}

function isGone(err: unknown): boolean {
  return err instanceof AwsError && GONE.has(err.code);
}

/**
 * `read` over `items` in batches; a batch refused because one item is gone is read again
 * item by item, and the items still refused are left out.
 */
async function readSkippingGone<I, O>(
  items: readonly I[],
  read: (batch: I[]) => Promise<O[]>,
): Promise<O[]> {
  const one = async (batch: I[]): Promise<O[]> => {
    try {
      return await read(batch);
    } catch (err) {
      if (!isGone(err)) throw err;
      if (batch.length === 1) return [];
      const each = await Promise.all(batch.map((item) => one([item])));
      return each.flat();
    }
  };
  const pages = await Promise.all(chunks(items, BATCH).map(one));
  return pages.flat();
}

/** The load balancers of `arns` that exist; a vanished ARN is dropped, not an error. */
export function describeLoadBalancersByArn(
  ctx: DeployContext,
  arns: readonly string[],
): Promise<SdkLoadBalancer[]> {
  return readSkippingGone([...arns].sort(), async (batch) => {
    const page = await call(ctx, 'DescribeLoadBalancers', () =>
      ctx.clients.elbv2.send(
        new DescribeLoadBalancersCommand({ LoadBalancerArns: batch }),
        sendOptions(ctx),
      ),
    );
    // Only what was asked for: an emulator that ignores a missing ARN must not widen it.
    return (page.LoadBalancers ?? []).filter((lb) => batch.includes(lb.LoadBalancerArn ?? ''));
  });
}

/** The target groups of `arns` that exist; a vanished ARN is dropped, not an error. */
export function describeTargetGroupsByArn(
  ctx: DeployContext,
  arns: readonly string[],
): Promise<SdkTargetGroup[]> {
  return readSkippingGone([...arns].sort(), async (batch) => {
    const page = await call(ctx, 'DescribeTargetGroups', () =>
      ctx.clients.elbv2.send(
        new DescribeTargetGroupsCommand({ TargetGroupArns: batch }),
        sendOptions(ctx),
      ),
    );
    return (page.TargetGroups ?? []).filter((tg) => batch.includes(tg.TargetGroupArn ?? ''));
  });
}

/** The load balancer named `name`, whoever owns it, or `null`. */
export async function findLoadBalancerByName(
  ctx: DeployContext,
  name: string,
): Promise<SdkLoadBalancer | null> {
  const found = await readSkippingGone([name], async (batch) => {
    const page = await call(ctx, 'DescribeLoadBalancers', () =>
      ctx.clients.elbv2.send(new DescribeLoadBalancersCommand({ Names: batch }), sendOptions(ctx)),
    );
    return (page.LoadBalancers ?? []).filter((lb) => lb.LoadBalancerName === name);
  });
  return found[0] ?? null;
}

/** The target groups of `names` that exist, whoever owns them. */
export function findTargetGroupsByName(
  ctx: DeployContext,
  names: readonly string[],
): Promise<SdkTargetGroup[]> {
  return readSkippingGone([...new Set(names)].sort(), async (batch) => {
    const page = await call(ctx, 'DescribeTargetGroups', () =>
      ctx.clients.elbv2.send(new DescribeTargetGroupsCommand({ Names: batch }), sendOptions(ctx)),
    );
    return (page.TargetGroups ?? []).filter((tg) => batch.includes(tg.TargetGroupName ?? ''));
  });
}

/** ARN → tags, read from ELBv2 itself (not the index); vanished ARNs are left out. */
export async function describeTags(
  ctx: DeployContext,
  arns: readonly string[],
): Promise<Map<string, Tags>> {
  const found = await readSkippingGone(arns, async (batch) => {
    const page = await call(ctx, 'DescribeTags', () =>
      ctx.clients.elbv2.send(new DescribeTagsCommand({ ResourceArns: batch }), sendOptions(ctx)),
    );
    return (page.TagDescriptions ?? []).flatMap((d) =>
      d.ResourceArn === undefined ? [] : [[d.ResourceArn, fromSdkTags(d.Tags)] as const],
    );
  });
  return new Map(found);
}

/** Which of `arns` (load balancers and target groups) exist: at most two batched reads. */
export async function existingArns(
  ctx: DeployContext,
  arns: readonly string[],
): Promise<Set<string>> {
  const lbArns = arns.filter(isLoadBalancerArn);
  const tgArns = arns.filter((arn) => !isLoadBalancerArn(arn));
  const [lbs, tgs] = await Promise.all([
    lbArns.length === 0 ? [] : describeLoadBalancersByArn(ctx, lbArns),
    tgArns.length === 0 ? [] : describeTargetGroupsByArn(ctx, tgArns),
  ]);
  return new Set([
    ...lbs.flatMap((lb) => (lb.LoadBalancerArn === undefined ? [] : [lb.LoadBalancerArn])),
    ...tgs.flatMap((tg) => (tg.TargetGroupArn === undefined ? [] : [tg.TargetGroupArn])),
  ]);
}
