/**
 * The per-cluster key of the OIDC client-secret digests (see secretDigest): 32 random
 * bytes in one Secret of the controller's namespace, made by whichever replica first
 * finds it missing. Every replica reads back what is stored, so a replica that lost the
 * race to create it adopts the winner's key, and all of them compute the same digests.
 *
 * Deleting the Secret only costs one ModifyRule per OIDC rule: the next key gives other
 * digests, so each rule is sent its secret once more (docs/decisions/0011).
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { isConflict, isNotFound } from './api-errors.ts';

export const DIGEST_KEY_DATA = 'key';
const KEY_BYTES = 32;

export interface DigestKeyRef {
  readonly namespace: string;
  readonly name: string;
}

function keyOf(ref: DigestKeyRef, data: Record<string, string> | undefined): Uint8Array {
  const raw = data?.[DIGEST_KEY_DATA];
  const key = raw === undefined ? undefined : Buffer.from(raw, 'base64');
  if (key === undefined || key.length < KEY_BYTES) {
    throw new Error(
      `Secret ${ref.namespace}/${ref.name}: key "${DIGEST_KEY_DATA}" must hold at least ${String(KEY_BYTES)} bytes (base64); delete the Secret and the controller makes a new one`,
    );
  }
  return new Uint8Array(key);
}

/** The key in `ref`, created first when the Secret does not exist. */
export async function ensureDigestKey(core: CoreV1Api, ref: DigestKeyRef): Promise<Uint8Array> {
  try {
    const found = await core.readNamespacedSecret(ref);
    return keyOf(ref, found.data);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  try {
    const made = await core.createNamespacedSecret({
      namespace: ref.namespace,
      body: {
        metadata: {
          name: ref.name,
          namespace: ref.namespace,
          labels: { 'app.kubernetes.io/managed-by': 'albatross' },
        },
        type: 'Opaque',
        data: { [DIGEST_KEY_DATA]: randomBytes(KEY_BYTES).toString('base64') },
      },
    });
    return keyOf(ref, made.data);
  } catch (err) {
    // Another replica made it first: its key is the one.
    if (!isConflict(err)) throw err;
  }
  return keyOf(ref, (await core.readNamespacedSecret(ref)).data);
}
