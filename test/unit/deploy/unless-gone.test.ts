/**
 * A delete that finds its resource already gone has done its job (a delete repeated after
 * a crash, or racing another writer); any other failure still fails. The emulator never
 * races, so the error is injected here in the SDK's shape.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unlessGone } from '../../../pkg/deploy/context.ts';

function sdkError(name: string): Error {
  const err = new Error(name);
  err.name = name;
  Object.assign(err, { $metadata: { httpStatusCode: 400 } });
  return err;
}

describe('unlessGone', () => {
  it('treats the named not-found code (SDK or wire form) as done', async () => {
    assert.equal(
      await unlessGone<string>('RuleNotFound', () =>
        Promise.reject(sdkError('RuleNotFoundException')),
      ),
      undefined,
    );
    assert.equal(
      await unlessGone<string>('InvalidGroup.NotFound', () =>
        Promise.reject(sdkError('InvalidGroup.NotFound')),
      ),
      undefined,
    );
  });

  it('passes the result through and rethrows any other failure', async () => {
    assert.equal(await unlessGone('RuleNotFound', () => Promise.resolve('deleted')), 'deleted');
    await assert.rejects(
      unlessGone('RuleNotFound', () => Promise.reject(sdkError('ResourceInUseException'))),
      { name: 'ResourceInUseException' },
    );
  });
});
