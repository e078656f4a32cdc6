/**
 * The per-cluster digest key against the real API server: replicas starting together
 * make one Secret between them and all use its key.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { DIGEST_KEY_DATA, ensureDigestKey } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';

describe('OIDC digest key', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let core: CoreV1Api;

  before(async () => {
    ns = await testEnv.env.freshNamespace('digest-key');
    core = testEnv.env.kc.makeApiClient(CoreV1Api);
  });

  it('replicas starting at once agree on one key, kept in one Secret, and keep it', async () => {
    const ref = { namespace: ns, name: 'albatross-digest-key' };
    // WHEN four replicas find no key at the same moment
    const keys = await Promise.all([1, 2, 3, 4].map(() => ensureDigestKey(core, ref)));
    // THEN they all hold the same 32-byte key, the one in the Secret
    const stored = await core.readNamespacedSecret(ref);
    const inSecret = Buffer.from(stored.data?.[DIGEST_KEY_DATA] ?? '', 'base64');
    assert.equal(inSecret.length, 32);
    for (const key of keys) assert.deepEqual(Buffer.from(key), inSecret);
    // AND a restart reads the same key back
    assert.deepEqual(Buffer.from(await ensureDigestKey(core, ref)), inSecret);
  });

  it('a Secret whose key is too short is an error naming it, not a silent new key', async () => {
    const ref = { namespace: ns, name: 'short-key' };
    await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: ref.name }, stringData: { [DIGEST_KEY_DATA]: 'short' } },
    });
    await assert.rejects(
      ensureDigestKey(core, ref),
      new RegExp(`Secret ${ns}/short-key: key "key" must hold at least 32 bytes`),
    );
  });
});
