/**
 * Secrets never reach a plan's output: an OIDC client secret is shown as a short digest,
 * enough to see that it changed, useless to an attacker.
 */
import { createHash } from 'node:crypto';
import type { Action } from '../model/index.ts';

export function secretDigest(secret: string): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
}

export function redactAction(action: Action): Action {
  const oidc = action.AuthenticateOidcConfig;
  if (oidc?.ClientSecret === undefined) return action;
  return {
    ...action,
    AuthenticateOidcConfig: { ...oidc, ClientSecret: secretDigest(oidc.ClientSecret) },
  };
}
