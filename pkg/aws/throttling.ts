/**
 * The error codes by which AWS says "slow down". ELBv2 answers `Throttling` (HTTP 400,
 * "Rate exceeded"; its guide calls it ThrottlingException), EC2 `RequestLimitExceeded`
 * (HTTP 503), the Resource Groups Tagging API `ThrottledException`; the others are what
 * the remaining services we call use. The SDK retries all of them itself.
 */
export const throttlingCodes = [
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
] as const;

/** Whether an error's name (or wire code) is a throttling answer. */
export function isThrottlingCode(code: string | undefined): boolean {
  return code !== undefined && (throttlingCodes as readonly string[]).includes(code);
}
