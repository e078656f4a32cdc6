/**
 * A trust store named in `mutual-authentication` is resolved to its ARN with
 * DescribeTrustStores. moto has no trust stores (the call is not implemented), so this
 * one call gets an injected response; everything else of mutual TLS is tested live in
 * test/integration/k8s/listener-settings.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DescribeTrustStoresCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { toSdkMutualAuthentication } from '../../../pkg/deploy/auth-secrets.ts';
import type { DeployContext } from '../../../pkg/deploy/index.ts';

const ARN =
  'arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/clients/0123456789abcdef';

function contextAnswering(stores: readonly { Name: string; TrustStoreArn: string }[]) {
  const asked: unknown[] = [];
  const elbv2 = {
    send(command: unknown) {
      assert.ok(
        command instanceof DescribeTrustStoresCommand,
        'only DescribeTrustStores is injected',
      );
      asked.push(command.input);
      return Promise.resolve({ TrustStores: stores });
    },
  };
  const ctx = { clusterName: 'c', vpcId: 'vpc-1', clients: { elbv2 } } as unknown as DeployContext;
  return { ctx, asked };
}

describe('trust store by name', () => {
  it('GIVEN a trust store name THEN it is resolved to its ARN with one DescribeTrustStores', async () => {
    const { ctx, asked } = contextAnswering([{ Name: 'clients', TrustStoreArn: ARN }]);
    const sdk = await toSdkMutualAuthentication(ctx, { mode: 'verify', trustStore: 'clients' });
    assert.deepEqual(sdk, {
      Mode: 'verify',
      TrustStoreArn: ARN,
      IgnoreClientCertificateExpiry: false,
    });
    assert.deepEqual(asked, [{ Names: ['clients'] }]);
  });

  it('GIVEN an ARN THEN nothing is looked up', async () => {
    const { ctx, asked } = contextAnswering([]);
    const sdk = await toSdkMutualAuthentication(ctx, { mode: 'verify', trustStore: ARN });
    assert.equal(sdk.TrustStoreArn, ARN);
    assert.deepEqual(asked, []);
  });

  it('GIVEN a name that matches no trust store THEN apply fails naming it', async () => {
    const { ctx } = contextAnswering([]);
    await assert.rejects(
      toSdkMutualAuthentication(ctx, { mode: 'verify', trustStore: 'nope' }),
      /no trust store named nope/,
    );
  });
});
