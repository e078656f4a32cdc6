/**
 * The VPC's subnets, read with one DescribeSubnets and kept for a short while: every
 * reconcile needs them (subnet discovery), they change rarely, and a burst of 100 new
 * Ingresses should cost one read, not 100. A short TTL still notices a newly tagged
 * subnet within a minute.
 */
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import type { Subnet as Ec2Subnet } from '@aws-sdk/client-ec2';
import { toAwsError } from '../pkg/aws/index.ts';
import type { AwsClients } from '../pkg/aws/index.ts';
import type { Subnet } from '../pkg/translate/index.ts';

export interface SubnetCacheOptions {
  readonly clients: AwsClients;
  readonly vpcId: string;
  /** @default 60000 */
  readonly ttlMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

function toSubnet(s: Ec2Subnet): Subnet {
  const tags: Record<string, string> = {};
  for (const t of s.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return {
    subnetId: s.SubnetId ?? '',
    availabilityZone: s.AvailabilityZone ?? '',
    vpcId: s.VpcId ?? '',
    availableIpAddressCount: s.AvailableIpAddressCount ?? 0,
    tags,
  };
}

export class SubnetCache {
  readonly #options: SubnetCacheOptions;
  #value: { readonly at: number; readonly subnets: Promise<readonly Subnet[]> } | undefined;

  constructor(options: SubnetCacheOptions) {
    this.#options = options;
  }

  /** The VPC's subnets; concurrent callers share one request. */
  get(signal?: AbortSignal): Promise<readonly Subnet[]> {
    const now = (this.#options.now ?? Date.now)();
    const ttl = this.#options.ttlMs ?? 60_000;
    if (this.#value !== undefined && now - this.#value.at < ttl) return this.#value.subnets;
    const subnets = this.#load(signal);
    this.#value = { at: now, subnets };
    // A failed read is not cached: the next reconcile asks again.
    subnets.catch(() => {
      if (this.#value?.subnets === subnets) this.#value = undefined;
    });
    return subnets;
  }

  async #load(signal: AbortSignal | undefined): Promise<readonly Subnet[]> {
    const { clients, vpcId } = this.#options;
    const out: Subnet[] = [];
    let token: string | undefined;
    do {
      const page = await clients.ec2
        .send(
          new DescribeSubnetsCommand({
            Filters: [{ Name: 'vpc-id', Values: [vpcId] }],
            ...(token !== undefined ? { NextToken: token } : {}),
          }),
          signal === undefined ? {} : { abortSignal: signal },
        )
        .catch((err: unknown) => {
          throw toAwsError('DescribeSubnets', err);
        });
      out.push(...(page.Subnets ?? []).map(toSubnet));
      token = page.NextToken;
    } while (token !== undefined && token !== '');
    return out.sort((a, b) => (a.subnetId < b.subnetId ? -1 : a.subnetId > b.subnetId ? 1 : 0));
  }
}
