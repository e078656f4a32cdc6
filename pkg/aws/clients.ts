/**
 * One SDK client per service, all pointed at the same region and (in tests) endpoint,
 * all counted by one CallCounter and paced by one client-side rate limiter per API
 * family. The SDK's own retry (standard or adaptive mode) handles throttling and 5xx;
 * nothing else retries those (docs/decisions/0015-retry-policy-and-rate-limits.md).
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ShieldClient } from '@aws-sdk/client-shield';
import { WAFRegionalClient } from '@aws-sdk/client-waf-regional';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import type { ElasticLoadBalancingV2ClientConfig } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { RateLimits } from './api-families.ts';
import { CallCounter, countCalls } from './call-counter.ts';
import { limitRate } from './limit-rate.ts';
import { ApiRateLimiter } from './rate-limiter.ts';

export interface AwsClientOptions {
  readonly region: string;
  /** e.g. the emulator's `http://127.0.0.1:PORT`; unset = the SDK's default resolution. */
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default 'standard' */
  readonly retryMode?: 'standard' | 'adaptive';
  /** @default 3 */
  readonly maxAttempts?: number;
  /** Client-side buckets per API family (`--aws-api-rate-limits`). @default none (unlimited) */
  readonly rateLimits?: RateLimits;
  /** Cancels calls waiting for a rate-limit token (the process stopping). */
  readonly signal?: AbortSignal;
  /** The HTTP handler of every client; tests inject one that answers as AWS would. */
  readonly requestHandler?: ElasticLoadBalancingV2ClientConfig['requestHandler'];
}

export interface AwsClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly ec2: EC2Client;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  /** Certificate discovery. */
  readonly acm: ACMClient;
  /** Add-ons: WAFv2, classic WAF Regional and Shield Advanced. */
  readonly wafv2: WAFV2Client;
  readonly wafRegional: WAFRegionalClient;
  /** Shield is a global service whose API lives in us-east-1 whatever the ALB's region. */
  readonly shield: ShieldClient;
  readonly calls: CallCounter;
  /** The client-side rate limiter every attempt passes (its wait times feed a metric). */
  readonly limiter: ApiRateLimiter;
  destroy(): void;
}

export function createAwsClients(options: AwsClientOptions, calls = new CallCounter()): AwsClients {
  const config = {
    region: options.region,
    retryMode: options.retryMode ?? 'standard',
    maxAttempts: options.maxAttempts ?? 3,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: { ...options.credentials } } : {}),
    ...(options.requestHandler !== undefined ? { requestHandler: options.requestHandler } : {}),
  };
  const limiter = new ApiRateLimiter(options.rateLimits ?? {});
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const ec2 = new EC2Client(config);
  const tagging = new ResourceGroupsTaggingAPIClient(config);
  const acm = new ACMClient(config);
  const wafv2 = new WAFV2Client(config);
  const wafRegional = new WAFRegionalClient(config);
  const shield = new ShieldClient({ ...config, region: 'us-east-1' });
  countCalls(elbv2.middlewareStack, 'elbv2', calls);
  countCalls(ec2.middlewareStack, 'ec2', calls);
  countCalls(tagging.middlewareStack, 'tagging', calls);
  limitRate(elbv2.middlewareStack, 'elbv2', limiter, options.signal);
  limitRate(ec2.middlewareStack, 'ec2', limiter, options.signal);
  limitRate(tagging.middlewareStack, 'tagging', limiter, options.signal);
  countCalls(acm.middlewareStack, 'acm', calls);
  countCalls(wafv2.middlewareStack, 'wafv2', calls);
  countCalls(wafRegional.middlewareStack, 'waf-regional', calls);
  countCalls(shield.middlewareStack, 'shield', calls);
  return {
    elbv2,
    ec2,
    tagging,
    acm,
    wafv2,
    wafRegional,
    shield,
    calls,
    limiter,
    destroy() {
      elbv2.destroy();
      ec2.destroy();
      tagging.destroy();
      acm.destroy();
      wafv2.destroy();
      wafRegional.destroy();
      shield.destroy();
    },
  };
}
