/**
 * What the Secret cache keeps: only the OIDC client keys, never the rest of a Secret
 * (TLS keys, tokens) nor kubectl's last-applied copy, which holds the data in clear.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { OidcSecrets, secretDigest, stripSecret } from '../../../pkg/k8s/index.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const KEY = new Uint8Array(32).fill(7);

describe('OIDC secrets cache', () => {
  it('GIVEN any Secret THEN only clientID, clientId and clientSecret stay in memory', () => {
    const secret: V1Secret = {
      metadata: {
        name: 'oidc',
        namespace: 'shop',
        resourceVersion: '7',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration':
            '{"stringData":{"clientSecret":"s3cr3t"}}',
        },
        managedFields: [{ manager: 'kubectl' }],
        labels: { team: 'a' },
      },
      type: 'Opaque',
      data: { clientID: b64('id'), clientSecret: b64('s3cr3t'), 'tls.key': b64('private') },
      stringData: { other: 'x' },
    };
    const stripped = stripSecret(secret);
    assert.deepEqual(stripped, {
      metadata: { name: 'oidc', namespace: 'shop', resourceVersion: '7' },
      data: { clientID: b64('id'), clientSecret: b64('s3cr3t') },
    });
  });

  it('GIVEN cached Secrets THEN translation sees the client id and a digest, apply the value', () => {
    const cached: V1Secret[] = [
      {
        metadata: { name: 'oidc', namespace: 'shop' },
        data: { clientId: b64('legacy-id \n'), clientSecret: b64('s3cr3t') },
      },
      { metadata: { name: 'empty', namespace: 'shop' }, data: {} },
    ];
    const source = {
      get: (name: string, namespace?: string) =>
        cached.find((s) => s.metadata?.name === name && s.metadata.namespace === namespace),
      list: () => cached,
    };
    const secrets = new OidcSecrets(source, KEY);
    assert.deepEqual(
      [...secrets.clients()],
      [
        ['shop/oidc', { clientId: 'legacy-id', clientSecretDigest: secretDigest(KEY, 's3cr3t') }],
        ['shop/empty', {}],
      ],
    );
    assert.ok(!JSON.stringify([...secrets.clients()]).includes('s3cr3t'));
    assert.equal(secrets.value('shop/oidc', 'clientSecret'), 's3cr3t');
    assert.equal(secrets.value('shop/empty', 'clientSecret'), undefined);
    assert.equal(secrets.value('shop/none', 'clientSecret'), undefined);
  });

  it('GIVEN the digest of a secret THEN it is keyed: no one without the cluster key can test a guess against it', () => {
    const digest = secretDigest(KEY, 's3cr3t');
    assert.match(digest, /^hmac-sha256:[0-9a-f]{32}$/);
    // The same key gives the same digest (every replica agrees, plans settle)...
    assert.equal(secretDigest(new Uint8Array(32).fill(7), 's3cr3t'), digest);
    // ...another key, or another secret, another one
    assert.notEqual(secretDigest(new Uint8Array(32).fill(8), 's3cr3t'), digest);
    assert.notEqual(secretDigest(KEY, 's3cr3t!'), digest);
    // AND it is not the unkeyed SHA-256 older releases tagged, which a guess is checked against
    const unkeyed = createHash('sha256').update('s3cr3t').digest('hex');
    assert.ok(!unkeyed.includes(digest.slice('hmac-sha256:'.length)));
  });
});
