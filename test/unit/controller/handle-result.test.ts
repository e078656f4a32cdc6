import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError } from '../../../pkg/aws/index.ts';
import { QUOTA_RETRY_MS, QuotaError } from '../../../pkg/deploy/index.ts';
import {
  AnnotationError,
  ConfigError,
  RequeueAfter,
  TerminalError,
} from '../../../pkg/errors/index.ts';
import {
  handleResult,
  type HandledResult,
  type ReconcileSettled,
} from '../../../controller/handle-result.ts';

const threw = (error: unknown, aborted = false): ReconcileSettled => ({
  kind: 'threw',
  error,
  aborted,
});

type Expected = Pick<HandledResult, 'action' | 'outcome' | 'logLevel'> & {
  readonly event?: string;
  readonly errorReason?: string;
};

const table: readonly (readonly [string, ReconcileSettled, Expected])[] = [
  [
    'a result',
    { kind: 'returned', result: { changesApplied: 3 } },
    {
      action: { kind: 'forget' },
      outcome: 'success',
      logLevel: 'info',
      event: 'Normal SuccessfullyReconciled',
    },
  ],
  [
    'a result asking to come back',
    { kind: 'returned', result: { changesApplied: 0, requeueAfterMs: 30_000 } },
    {
      action: { kind: 'after', delayMs: 30_000 },
      outcome: 'success',
      logLevel: 'info',
      event: 'Normal SuccessfullyReconciled',
    },
  ],
  [
    'a result waiting for AWS to let go of a resource',
    {
      kind: 'returned',
      result: {
        changesApplied: 4,
        requeueAfterMs: 10_000,
        waitingOn: 'security group sg-1 still in use by AWS (DependencyViolation); retrying in 10s',
      },
    },
    { action: { kind: 'after', delayMs: 10_000 }, outcome: 'requeue', logLevel: 'info' },
  ],
  [
    'RequeueAfter',
    threw(new RequeueAfter(15_000, 'load balancer still provisioning')),
    { action: { kind: 'after', delayMs: 15_000 }, outcome: 'requeue', logLevel: 'info' },
  ],
  [
    'an abort (shutdown or lost lease)',
    threw(new Error('This operation was aborted'), true),
    { action: { kind: 'after', delayMs: 0 }, outcome: 'aborted', logLevel: 'info' },
  ],
  [
    'an AbortError',
    threw(Object.assign(new Error('aborted'), { name: 'AbortError' })),
    { action: { kind: 'after', delayMs: 0 }, outcome: 'aborted', logLevel: 'info' },
  ],
  [
    'AnnotationError',
    threw(
      new AnnotationError(
        { ingress: 'shop/web', field: 'alb.ingress.kubernetes.io/scheme', value: 'publik' },
        'scheme must be internal or internet-facing',
      ),
    ),
    {
      action: { kind: 'forget' },
      outcome: 'error',
      logLevel: 'warn',
      event: 'Warning FailedBuildModel',
      errorReason: 'annotation',
    },
  ],
  [
    'ConfigError',
    threw(new ConfigError('no subnet matches the discovery tags in vpc-1')),
    {
      action: { kind: 'backoff' },
      outcome: 'error',
      logLevel: 'warn',
      event: 'Warning FailedBuildModel',
      errorReason: 'config',
    },
  ],
  [
    'a retryable AwsError',
    threw(new AwsError('CreateRule', 'PriorityInUse', 'priority 3 is in use', true)),
    {
      action: { kind: 'backoff' },
      outcome: 'error',
      logLevel: 'warn',
      event: 'Warning FailedDeployModel',
      errorReason: 'aws_retryable',
    },
  ],
  [
    'a non-retryable AwsError',
    threw(new AwsError('CreateLoadBalancer', 'AccessDenied', 'not authorized', false)),
    {
      action: { kind: 'backoff' },
      outcome: 'error',
      logLevel: 'error',
      event: 'Warning FailedDeployModel',
      errorReason: 'aws',
    },
  ],
  [
    'a quota refusal: waits its long delay, not the exponential back-off from 1 s',
    threw(
      new QuotaError(
        'TooManyRules',
        'AWS refused CreateRule for the quota "rules per Application Load Balancer"',
        QUOTA_RETRY_MS,
        new AwsError('CreateRule', 'TooManyRules', 'the limit on rules', false),
      ),
    ),
    {
      action: { kind: 'after', delayMs: QUOTA_RETRY_MS },
      outcome: 'error',
      logLevel: 'warn',
      event: 'Warning QuotaExceeded',
      errorReason: 'quota',
    },
  ],
  [
    'a Kubernetes 409 Conflict',
    threw(Object.assign(new Error('the object has been modified'), { code: 409 })),
    { action: { kind: 'backoff' }, outcome: 'error', logLevel: 'info', errorReason: 'conflict' },
  ],
  [
    'TerminalError',
    threw(new TerminalError('group name is used by two namespaces')),
    {
      action: { kind: 'forget' },
      outcome: 'terminal',
      logLevel: 'error',
      event: 'Warning FailedReconcile',
      errorReason: 'terminal',
    },
  ],
  [
    'anything else',
    threw(new TypeError('cannot read properties of undefined')),
    {
      action: { kind: 'backoff' },
      outcome: 'error',
      logLevel: 'error',
      event: 'Warning FailedReconcile',
      errorReason: 'unknown',
    },
  ],
  [
    'a thrown non-Error',
    threw('boom'),
    {
      action: { kind: 'backoff' },
      outcome: 'error',
      logLevel: 'error',
      event: 'Warning FailedReconcile',
      errorReason: 'unknown',
    },
  ],
];

describe('handleResult: one switch from a reconcile to a queue action, an Event and a log level', () => {
  for (const [name, settled, expected] of table) {
    it(`GIVEN ${name} THEN ${expected.action.kind}, ${expected.event ?? 'no Event'}, log ${expected.logLevel}`, () => {
      const handled = handleResult(settled);
      assert.deepEqual(
        {
          action: handled.action,
          outcome: handled.outcome,
          logLevel: handled.logLevel,
          ...(handled.event !== undefined
            ? { event: `${handled.event.type} ${handled.event.reason}` }
            : {}),
          ...(handled.errorReason !== undefined ? { errorReason: handled.errorReason } : {}),
        },
        expected,
      );
    });
  }

  it('GIVEN a failure THEN the Warning message is the error message the user can act on', () => {
    const handled = handleResult(
      threw(new ConfigError('no subnet tagged kubernetes.io/role/elb in vpc-1')),
    );
    assert.equal(handled.event?.message, 'no subnet tagged kubernetes.io/role/elb in vpc-1');
  });

  it('GIVEN a very long error message THEN the Event message is cut to fit with a note', () => {
    const handled = handleResult(threw(new Error('x'.repeat(5000))));
    const message = handled.event?.message ?? '';
    assert.ok(message.length <= 1000, `${message.length}`);
    assert.match(message, /… \(truncated\)$/);
  });

  it('GIVEN a result THEN changesApplied is carried to the log line', () => {
    assert.equal(
      handleResult({ kind: 'returned', result: { changesApplied: 7 } }).changesApplied,
      7,
    );
  });
});
