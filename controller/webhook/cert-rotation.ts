/**
 * When the self-managed webhook certificate must be made anew: a pure decision over what
 * the Secret holds, the names wanted and the time, so it is testable without a clock.
 *
 * The serving certificate lives a year and is renewed at two thirds of its life (four
 * months ahead: room for a controller that was down a while); the CA lives five years
 * and is renewed the same way. A certificate that does not cover every name wanted (the
 * Service was renamed, a SAN was added) is renewed at once.
 */

/** What is read from a certificate to decide. */
export interface CertFacts {
  readonly notBefore: number;
  readonly notAfter: number;
  /** DNS names and IP addresses in its subjectAltName. */
  readonly sans: readonly string[];
}

export const SERVING_VALIDITY_MS = 365 * 24 * 3600 * 1000;
export const CA_VALIDITY_MS = 5 * SERVING_VALIDITY_MS;

/** Why a certificate must be replaced now, or `undefined`. */
export function renewalReason(
  cert: CertFacts,
  wantedSans: readonly string[],
  now: number,
): string | undefined {
  if (now < cert.notBefore) return 'not valid yet';
  if (now >= cert.notAfter) return 'expired';
  const renewAt = cert.notBefore + ((cert.notAfter - cert.notBefore) * 2) / 3;
  if (now >= renewAt) return 'two thirds of its validity passed';
  const have = new Set(cert.sans.map((s) => s.toLowerCase()));
  const missing = wantedSans.filter((s) => !have.has(s.toLowerCase()));
  if (missing.length > 0) return `does not cover ${missing.join(', ')}`;
  return undefined;
}

/** The names the serving certificate must carry. */
export function servingSans(
  service: string,
  namespace: string,
  extra: readonly string[],
): string[] {
  return [
    ...new Set([
      `${service}.${namespace}.svc`,
      `${service}.${namespace}.svc.cluster.local`,
      ...extra,
    ]),
  ];
}
