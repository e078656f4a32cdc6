/**
 * Mutual TLS equality. A trust store may be given by name while AWS reports its ARN
 * (`…:truststore/<name>/<id>`): the two are the same when the ARN's name part matches,
 * or the listener would be modified on every reconcile. A listener AWS reports without
 * mutual authentication is in mode `off`.
 */
import type { MutualAuthentication } from '../model/index.ts';

/** The name part of a trust store ARN; `undefined` for anything else. */
export function trustStoreNameOfArn(arn: string): string | undefined {
  const m = /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:truststore\/([^/]+)\/[^/]+$/.exec(arn);
  return m?.[1];
}

function sameTrustStore(desired: string | undefined, actual: string | undefined): boolean {
  if (desired === actual) return true;
  if (desired === undefined || actual === undefined) return false;
  if (desired.startsWith('arn:')) return false;
  return trustStoreNameOfArn(actual) === desired;
}

/** `desired` undefined = don't care. */
export function mutualAuthenticationMatches(
  desired: MutualAuthentication | undefined,
  actual: MutualAuthentication | undefined,
): boolean {
  if (desired === undefined) return true;
  const have = actual ?? { mode: 'off' };
  if (desired.mode !== have.mode) return false;
  if (desired.mode !== 'verify') return true;
  return (
    sameTrustStore(desired.trustStore, have.trustStore) &&
    (desired.ignoreClientCertificateExpiry ?? false) ===
      (have.ignoreClientCertificateExpiry ?? false)
  );
}

export function describeMutualAuthentication(m: MutualAuthentication | undefined): string {
  if (m === undefined) return 'off';
  return m.mode === 'verify' ? `verify (${m.trustStore ?? '?'})` : m.mode;
}
