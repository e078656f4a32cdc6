export {
  apiFamilies,
  defaultRateLimits,
  familiesOf,
  formatRateLimits,
  parseRateLimits,
} from './api-families.ts';
export type { ApiFamily, RateLimit, RateLimits } from './api-families.ts';
export { CallCounter, countCalls, isMutating } from './call-counter.ts';
export type { CallOutcome, CallRecord, OperationCount } from './call-counter.ts';
export { ApiRateLimiter } from './rate-limiter.ts';
export { isThrottlingCode, throttlingCodes } from './throttling.ts';
export { createAwsClients } from './clients.ts';
export type { AwsClientOptions, AwsClients } from './clients.ts';
export {
  AwsError,
  awsErrorCode,
  eventualConsistencyCodes,
  isEventualConsistency,
  quotaCode,
  quotaRefusals,
  toAwsError,
} from './errors.ts';
export type { QuotaCode } from './errors.ts';
export { retryEventualConsistency } from './retry.ts';
export type { ConsistencyRetryOptions } from './retry.ts';
