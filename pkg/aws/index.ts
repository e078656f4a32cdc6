export { CallCounter, countCalls, isMutating } from './call-counter.ts';
export type { CallOutcome, CallRecord } from './call-counter.ts';
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
