/**
 * The Secrets `auth-idp-oidc` names. Every Secret of the watched namespaces passes
 * through the informer, so each is stripped on arrival to the three keys the reference
 * reads (`clientID`, its legacy spelling `clientId`, and `clientSecret`): TLS keys,
 * tokens, Helm releases and the `last-applied-configuration` annotation (which holds a
 * Secret's data in clear) never stay in memory.
 *
 * Translation sees only the client id and a digest of the secret; the value itself is
 * handed to apply through {@link SecretSource}, at the moment of the one AWS call that
 * needs it. The digest is keyed with the cluster's digest key (digest-key.ts), handed in:
 * the pure core compares digests and never sees the key.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { V1Secret } from '@kubernetes/client-node';
import type { SecretSource } from '../deploy/index.ts';
import type { OidcClient } from '../translate/index.ts';
import type { CacheSource } from './cache-view.ts';
import { objectKey } from './cache-view.ts';

export const OIDC_SECRET_KEYS = ['clientID', 'clientId', 'clientSecret'] as const;

/** Identity and the OIDC keys only; everything else is dropped before it is cached. */
export function stripSecret(secret: V1Secret): V1Secret {
  const m = secret.metadata;
  const data: Record<string, string> = {};
  for (const key of OIDC_SECRET_KEYS) {
    const value = secret.data?.[key];
    if (value !== undefined) data[key] = value;
  }
  // In place: the informer caches the object it was given.
  if (m !== undefined) {
    secret.metadata = {
      ...(m.name !== undefined ? { name: m.name } : {}),
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
      ...(m.uid !== undefined ? { uid: m.uid } : {}),
      ...(m.resourceVersion !== undefined ? { resourceVersion: m.resourceVersion } : {}),
    };
  }
  secret.data = data;
  delete secret.stringData;
  delete secret.type;
  delete secret.immutable;
  return secret;
}

/** The prefix of a keyed digest; the unkeyed `sha256:` of older releases is re-sent once. */
export const SECRET_DIGEST_PREFIX = 'hmac-sha256:';

/**
 * What plans, tags and logs show of a secret: enough to see that it changed. Keyed with
 * the cluster's own key (HMAC-SHA-256, 128 bits shown), so that a tag anyone with
 * DescribeTags reads cannot be checked against guessed secrets, as an unkeyed hash can.
 */
export function secretDigest(key: Uint8Array, value: string): string {
  return `${SECRET_DIGEST_PREFIX}${bytesToHex(hmac(sha256, key, utf8ToBytes(value))).slice(0, 32)}`;
}

function decoded(secret: V1Secret, key: string): string | undefined {
  const raw = secret.data?.[key];
  return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
}

export class OidcSecrets implements SecretSource {
  readonly #cache: CacheSource<V1Secret>;
  readonly #key: Uint8Array;

  constructor(cache: CacheSource<V1Secret>, key: Uint8Array) {
    this.#cache = cache;
    this.#key = key;
  }

  value(secret: string, key: string): string | undefined {
    const slash = secret.indexOf('/');
    const found = this.#cache.get(secret.slice(slash + 1), secret.slice(0, slash));
    return found === undefined ? undefined : decoded(found, key);
  }

  /** Every cached Secret as translation may see it: client id and secret digest. */
  clients(): ReadonlyMap<string, OidcClient> {
    const out = new Map<string, OidcClient>();
    for (const secret of this.#cache.list()) {
      const id = decoded(secret, 'clientID') ?? decoded(secret, 'clientId');
      const value = decoded(secret, 'clientSecret');
      out.set(objectKey(secret), {
        ...(id === undefined ? {} : { clientId: id.trimEnd() }),
        ...(value === undefined ? {} : { clientSecretDigest: secretDigest(this.#key, value) }),
      });
    }
    return out;
  }
}
