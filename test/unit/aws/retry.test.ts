/**
 * Eventual-consistency retries, with injected SDK-shaped errors: the exact attempt counts
 * and errors are easiest to pin here (the emulator's DependencyViolation and ResourceInUse
 * are met live, see test/integration/emulator/consistency.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AwsError, retryEventualConsistency } from '../../../pkg/aws/index.ts';

function sdkError(name: string, retryable = false): Error {
  const err = new Error(`${name} happened`);
  err.name = name;
  Object.assign(err, {
    $metadata: { httpStatusCode: 400 },
    ...(retryable ? { $retryable: {} } : {}),
  });
  return err;
}

describe('retryEventualConsistency', () => {
  it('retries DependencyViolation until the call succeeds', async () => {
    let attempts = 0;
    const result = await retryEventualConsistency(
      'DeleteSecurityGroup',
      () => {
        attempts += 1;
        return attempts < 3
          ? Promise.reject(sdkError('DependencyViolation'))
          : Promise.resolve('deleted');
      },
      { minTimeoutMs: 1 },
    );
    assert.equal(result, 'deleted');
    assert.equal(attempts, 3);
  });

  it('does not retry a validation error, and names the operation and code', async () => {
    let attempts = 0;
    await assert.rejects(
      retryEventualConsistency(
        'CreateRule',
        () => {
          attempts += 1;
          return Promise.reject(sdkError('ValidationError'));
        },
        { minTimeoutMs: 1 },
      ),
      (err: unknown) =>
        err instanceof AwsError &&
        err.operation === 'CreateRule' &&
        err.code === 'ValidationError' &&
        !err.retryable,
    );
    assert.equal(attempts, 1);
  });

  it('does not retry throttling a second time: the SDK already spent its attempts on it', async () => {
    let attempts = 0;
    await assert.rejects(
      retryEventualConsistency(
        'DescribeRules',
        () => {
          attempts += 1;
          return Promise.reject(sdkError('Throttling', true));
        },
        { minTimeoutMs: 1 },
      ),
      (err: unknown) => err instanceof AwsError && err.code === 'Throttling' && err.retryable,
    );
    assert.equal(attempts, 1);
  });

  it('gives up after the configured retries and reports the last error as retryable', async () => {
    let attempts = 0;
    await assert.rejects(
      retryEventualConsistency(
        'DeleteTargetGroup',
        () => {
          attempts += 1;
          return Promise.reject(sdkError('ResourceInUse'));
        },
        { retries: 2, minTimeoutMs: 1 },
      ),
      (err: unknown) => err instanceof AwsError && err.code === 'ResourceInUse' && err.retryable,
    );
    assert.equal(attempts, 3);
  });
});
