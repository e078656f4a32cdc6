/**
 * OIDC client secrets on the wire. The plan holds only a reference (Secret, key, digest);
 * the value is read here, at the last moment, from the controller's Secret cache, and put
 * into the one SDK input that needs it. When AWS already has the secret with the same
 * digest (the rule's or listener's `albatross.dev/auth-secret-digest` tag), the call says
 * UseExistingClientSecret instead and the value is not sent at all.
 *
 * Discovery does the reverse: AWS never returns a client secret, so the digest tag is put
 * back into the discovered action for the planner to compare.
 */
import { DescribeTrustStoresCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Action as SdkAction,
  MutualAuthenticationAttributes,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, MutualAuthentication, Tags } from '../model/index.ts';
import { TAG_AUTH_SECRET_DIGEST } from '../naming/index.ts';
import { call, DeployError, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

/** Where apply reads secret values: the controller's Secret cache. */
export interface SecretSource {
  /** The value of `key` in Secret `namespace/name`, or `undefined` when there is none. */
  value(secret: string, key: string): string | undefined;
}

/** `object` without `keys` (which its type may not even declare). */
export function without<T extends object>(object: T, keys: readonly string[]): T {
  return Object.fromEntries(Object.entries(object).filter(([k]) => !keys.includes(k))) as T;
}

function existingDigest(existing: readonly Action[]): string | undefined {
  return existing.find((a) => a.AuthenticateOidcConfig?.ClientSecretRef !== undefined)
    ?.AuthenticateOidcConfig?.ClientSecretRef?.Digest;
}

/**
 * Completes the OIDC actions of `wire` (the SDK form of `actions`, same order): the
 * secret itself, or UseExistingClientSecret when `existing` (what AWS has) carries the
 * same digest.
 */
export function withClientSecrets(
  ctx: DeployContext,
  actions: readonly Action[],
  wire: SdkAction[],
  existing: readonly Action[],
): SdkAction[] {
  const have = existingDigest(existing);
  return wire.map((sdk, i) => {
    const ref = actions[i]?.AuthenticateOidcConfig?.ClientSecretRef;
    const oidc = sdk.AuthenticateOidcConfig;
    if (oidc === undefined) return sdk;
    const config = without(oidc, ['ClientSecretRef']);
    if (ref === undefined) return { ...sdk, AuthenticateOidcConfig: config };
    if (have !== undefined && have === ref.Digest) {
      return { ...sdk, AuthenticateOidcConfig: { ...config, UseExistingClientSecret: true } };
    }
    const value = ctx.secrets?.value(ref.Secret, ref.Key);
    if (value === undefined) {
      throw new DeployError(
        `the OIDC client secret is not available: Secret ${ref.Secret} has no key ${ref.Key}`,
      );
    }
    return { ...sdk, AuthenticateOidcConfig: { ...config, ClientSecret: value } };
  });
}

/** Discovered actions with the digest tag put back where the model keeps it. */
export function withSecretDigest(actions: Action[], tags: Tags): Action[] {
  const digest = tags[TAG_AUTH_SECRET_DIGEST];
  return actions.map((action) => {
    const oidc = action.AuthenticateOidcConfig;
    if (oidc === undefined) return action;
    // AWS never returns the secret; should an emulator echo it, it goes no further.
    const rest = without(oidc, ['ClientSecret', 'UseExistingClientSecret']);
    return {
      ...action,
      AuthenticateOidcConfig:
        digest === undefined
          ? rest
          : { ...rest, ClientSecretRef: { Secret: '', Key: '', Digest: digest } },
    };
  });
}

/**
 * Actions as DescribeRules can confirm them: AWS never returns the client secret, so the
 * cheap check (verify-stack.ts) leaves the reference out; a changed Secret changes the
 * desired stack itself and is caught there.
 */
export function withoutSecretRefs(actions: readonly Action[]): readonly Action[] {
  return actions.map((action) => {
    const oidc = action.AuthenticateOidcConfig;
    return oidc?.ClientSecretRef === undefined
      ? action
      : { ...action, AuthenticateOidcConfig: without(oidc, ['ClientSecretRef']) };
  });
}

export function fromSdkMutualAuthentication(
  m: MutualAuthenticationAttributes | undefined,
): MutualAuthentication | undefined {
  if (m?.Mode === undefined) return undefined;
  const mode = m.Mode === 'verify' || m.Mode === 'passthrough' ? m.Mode : 'off';
  return {
    mode,
    ...(m.TrustStoreArn === undefined || m.TrustStoreArn === ''
      ? {}
      : { trustStore: m.TrustStoreArn }),
    ...(mode === 'verify'
      ? { ignoreClientCertificateExpiry: m.IgnoreClientCertificateExpiry === true }
      : {}),
  };
}

/** The SDK form, with a trust store given by name resolved to its ARN (DescribeTrustStores). */
export async function toSdkMutualAuthentication(
  ctx: DeployContext,
  m: MutualAuthentication,
): Promise<MutualAuthenticationAttributes> {
  if (m.mode !== 'verify') return { Mode: m.mode };
  const store = m.trustStore ?? '';
  let arn = store;
  if (!store.startsWith('arn:')) {
    const found = await call(ctx, 'DescribeTrustStores', () =>
      ctx.clients.elbv2.send(new DescribeTrustStoresCommand({ Names: [store] }), sendOptions(ctx)),
    );
    const match = (found.TrustStores ?? []).find((t) => t.Name === store);
    if (match?.TrustStoreArn === undefined) {
      throw new DeployError(`no trust store named ${store} in this account and region`);
    }
    arn = match.TrustStoreArn;
  }
  return {
    Mode: 'verify',
    TrustStoreArn: arn,
    IgnoreClientCertificateExpiry: m.ignoreClientCertificateExpiry === true,
  };
}
