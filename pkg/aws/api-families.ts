/**
 * AWS throttles by API family: a token bucket per category of actions, per account and
 * Region. These are the families our client-side rate limiter keeps (the same ones the
 * test emulator throttles, test/env/moto_throttle.py), with defaults a little below
 * AWS's documented buckets so that one controller alone is never the one throttled.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/elb-api-throttling.html
 * @see https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 */
import { isMutating } from './call-counter.ts';

export const apiFamilies = [
  /** Every ELBv2 action: AWS's account-level bucket, 40 burst / 10 per s. */
  'elbv2-account',
  /** ELBv2 Describe*: 40 / 10. */
  'elbv2-describe',
  /** ELBv2 Create*, Modify*, Delete*, Set*, AddTags, RemoveTags, …: 20 / 3. */
  'elbv2-write',
  /** RegisterTargets, DeregisterTargets: 20 / 4. */
  'elbv2-register',
  /** CreateLoadBalancer, SetSubnets (resource-intensive): 10 / 0.2. */
  'elbv2-heavy',
  /** EC2 Describe*, Get*, List*: 100 / 20. */
  'ec2-describe',
  /** EC2 mutating actions not below: 50 / 5. */
  'ec2-write',
  /** Authorize/RevokeSecurityGroupIngress (resource-intensive): 50 / 5. */
  'ec2-sg-rules',
  /** CreateTags, DeleteTags: 100 / 10. */
  'ec2-tags',
  /** Resource Groups Tagging API (GetResources); AWS publishes no figure. */
  'tagging',
] as const;

export type ApiFamily = (typeof apiFamilies)[number];

/** One family's client-side bucket. */
export interface RateLimit {
  /** Tokens added per second (the sustained rate). */
  readonly ratePerSecond: number;
  /** The bucket's capacity (calls admitted at once after a quiet spell). */
  readonly burst: number;
}

/** A family absent from the map is not limited. */
export type RateLimits = Readonly<Partial<Record<ApiFamily, RateLimit>>>;

/**
 * About 80 % of AWS's buckets, so a controller leaves room for the console, other
 * tools and a second controller sharing the account, and is not itself the one that
 * empties AWS's bucket.
 */
export const defaultRateLimits: RateLimits = {
  'elbv2-account': { ratePerSecond: 8, burst: 32 },
  'elbv2-describe': { ratePerSecond: 8, burst: 32 },
  'elbv2-write': { ratePerSecond: 2.4, burst: 16 },
  'elbv2-register': { ratePerSecond: 3.2, burst: 16 },
  'elbv2-heavy': { ratePerSecond: 0.16, burst: 8 },
  'ec2-describe': { ratePerSecond: 16, burst: 80 },
  'ec2-write': { ratePerSecond: 4, burst: 40 },
  'ec2-sg-rules': { ratePerSecond: 4, burst: 40 },
  'ec2-tags': { ratePerSecond: 8, burst: 80 },
  tagging: { ratePerSecond: 8, burst: 32 },
};

const elbv2Register = new Set(['RegisterTargets', 'DeregisterTargets']);
const elbv2Heavy = new Set(['CreateLoadBalancer', 'SetSubnets']);
const ec2SgRules = new Set(['AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress']);
const ec2Tags = new Set(['CreateTags', 'DeleteTags']);

/** The buckets one call draws from (service as the call counter names it). */
export function familiesOf(service: string, operation: string): readonly ApiFamily[] {
  switch (service) {
    case 'elbv2': {
      const category: ApiFamily = !isMutating(operation)
        ? 'elbv2-describe'
        : elbv2Register.has(operation)
          ? 'elbv2-register'
          : elbv2Heavy.has(operation)
            ? 'elbv2-heavy'
            : 'elbv2-write';
      return [category, 'elbv2-account'];
    }
    case 'ec2':
      if (!isMutating(operation)) return ['ec2-describe'];
      if (ec2SgRules.has(operation)) return ['ec2-sg-rules'];
      if (ec2Tags.has(operation)) return ['ec2-tags'];
      return ['ec2-write'];
    case 'tagging':
      return ['tagging'];
    default:
      return [];
  }
}

/**
 * Parses `--aws-api-rate-limits`: `off` (no limit at all), or comma-separated
 * `family=rate:burst` entries over the defaults, `family=0` lifting one family's limit.
 * Returns the limits, or what the text should have been (a flag error's "must be …").
 */
export function parseRateLimits(
  text: string,
  base: RateLimits = defaultRateLimits,
): RateLimits | { readonly problem: string } {
  const trimmed = text.trim();
  if (trimmed === 'off') return {};
  const limits = new Map(Object.entries(base) as [ApiFamily, RateLimit][]);
  for (const entry of trimmed.split(',').map((e) => e.trim())) {
    const match = /^([a-z0-9-]+)=(?:(0)|(\d+(?:\.\d+)?):(\d+))$/.exec(entry);
    const name = match?.[1];
    if (match === null || name === undefined) {
      return {
        problem: `off, or comma-separated family=rate:burst entries such as elbv2-write=2:10 (family=0: no limit); '${entry}' is not one`,
      };
    }
    if (!(apiFamilies as readonly string[]).includes(name)) {
      return {
        problem: `entries naming an API family (${apiFamilies.join(', ')}); '${name}' is not one`,
      };
    }
    const family = name as ApiFamily;
    if (match[2] === '0') {
      limits.delete(family);
      continue;
    }
    const ratePerSecond = Number(match[3]);
    const burst = Number(match[4]);
    if (ratePerSecond <= 0 || burst < 1) {
      return {
        problem: `a rate above 0 and a burst of at least 1 (${family}=0: no limit); '${entry}' has neither`,
      };
    }
    limits.set(family, { ratePerSecond, burst });
  }
  return Object.fromEntries(limits);
}

/** The limits as the flag writes them, for logs and help. */
export function formatRateLimits(limits: RateLimits): string {
  const entries = apiFamilies.flatMap((f) => {
    const l = limits[f];
    return l === undefined ? [] : [`${f}=${String(l.ratePerSecond)}:${String(l.burst)}`];
  });
  return entries.length === 0 ? 'off' : entries.join(',');
}
