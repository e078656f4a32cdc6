/**
 * Secrets never reach a plan's output. The model already holds only a reference to an
 * OIDC client secret (Secret, key and digest); this turns it into the one line a reviewer
 * reads: where the value comes from and a digest that shows when it changed.
 */
import type { Action, ClientSecretRef } from '../model/index.ts';

export function describeSecretRef(ref: ClientSecretRef): string {
  return `<from Secret ${ref.Secret} key ${ref.Key}, ${ref.Digest}>`;
}

/** The action as printed: an OIDC client secret reference becomes its description. */
export function redactAction(action: Action): unknown {
  const oidc = action.AuthenticateOidcConfig;
  if (oidc?.ClientSecretRef === undefined) return action;
  const { ClientSecretRef: ref, ...rest } = oidc;
  return {
    ...action,
    AuthenticateOidcConfig: { ...rest, ClientSecret: describeSecretRef(ref) },
  };
}
