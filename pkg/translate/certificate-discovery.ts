/**
 * Certificate discovery: an HTTPS listener's certificates when a member gives none.
 *
 * Per member, as the reference controller does: a member without `certificate-arn` (or,
 * once IngressClassParams are wired, its class's `certificateArn`; see
 * `explicitCertificates`) takes the ISSUED ACM certificates that cover its hosts
 * (`spec.rules[].host` ∪ `spec.tls[].hosts`); the listener gets the union over its
 * members, in member order. A certificate covers a host when one of its domains equals
 * the host or is `*.<rest>` and the host is one more label in front of `<rest>`
 * (`*.example.com` covers `a.example.com`, not `example.com` nor `a.b.example.com`).
 *
 * Every host must be covered: a member with an uncovered host gets an error problem per
 * host and is frozen. Its covered hosts still count towards the listener's certificates:
 * its rules already in the ALB keep serving while it is frozen, and taking their
 * certificate away would break them. A member whose certificates would take the
 * listener past the ALB's limit (a default and 25 SNI certificates) is frozen too.
 *
 * A member on the port only implicitly (`spec.tls` without `listen-ports`, see
 * listen-ports.ts) discovers for its `spec.tls` hosts, and softly: an uncovered host is a
 * warning, and finding no certificate at all drops the member from the port instead of
 * freezing it, so its HTTP listener keeps serving it.
 *
 * Order, for a stable plan: hosts in member order, each host's certificates by ARN; the
 * first one is the default certificate (the one a client without SNI gets).
 */
import { albAnnotation } from '../annotations/index.ts';
import type { Problem } from '../model/index.ts';
import type { MemberDraft } from './drafts.ts';
import type { AcmCertificate } from './env.ts';
import { problem } from './problems.ts';

/** A default certificate and 25 SNI certificates. */
export const MAX_LISTENER_CERTIFICATES = 26;

/** The certificates a member gives itself; `undefined` = none given, discover them. */
export function explicitCertificates(d: MemberDraft): readonly string[] | undefined {
  // The hook for IngressClassParams `certificateArn`: it overrides the annotation here.
  return d.annotations.certificateArns;
}

/** True when `domain` (a certificate's DomainName or SAN) covers `host`. */
export function certificateCovers(domain: string, host: string): boolean {
  const d = domain.toLowerCase();
  const h = host.toLowerCase();
  if (d === h) return true;
  if (!d.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === d.slice(2) && !h.slice(0, dot).includes('*');
}

export interface ListenerCertificates {
  readonly certificates: readonly string[];
  /** Present when at least one member discovers. */
  readonly discovery?: { readonly hosts: readonly string[]; readonly resolved: boolean };
  readonly problems: readonly Problem[];
  /** Implicit members that found no certificate: they leave this port. */
  readonly dropped: readonly string[];
}

export interface CertificateInput {
  readonly port: number;
  /** The members on this HTTPS port, in group order. */
  readonly members: readonly MemberDraft[];
  /** Members already frozen (their problems are elsewhere). */
  readonly frozen: ReadonlySet<string>;
  /** `undefined` = unknown (offline). */
  readonly available: readonly AcmCertificate[] | undefined;
  readonly allowedCas: readonly string[];
  /**
   * Members whose HTTPS on this port is implicit (`spec.tls` without `listen-ports`, see
   * implicitHttps in build-stack.ts): they discover for their `spec.tls` hosts, and what
   * they cannot find is a warning, never a freeze. One that finds no certificate at all
   * is `dropped` from the port; its HTTP listener keeps serving it.
   */
  readonly implicit?: ReadonlySet<string>;
}

function usable(available: readonly AcmCertificate[], allowedCas: readonly string[]) {
  return available
    .filter((c) => c.status === 'ISSUED')
    .filter(
      (c) =>
        allowedCas.length === 0 ||
        (c.certificateAuthorityArn !== undefined && allowedCas.includes(c.certificateAuthorityArn)),
    )
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}

export function listenerCertificates(input: CertificateInput): ListenerCertificates {
  const { port, members, frozen } = input;
  const certificates: string[] = [];
  const problems: Problem[] = [];
  const hosts: string[] = [];
  const candidates =
    input.available === undefined ? undefined : usable(input.available, input.allowedCas);
  const dropped: string[] = [];
  let discovers = false;
  for (const d of members) {
    const given = explicitCertificates(d);
    if (given !== undefined) {
      for (const arn of given) if (!certificates.includes(arn)) certificates.push(arn);
      continue;
    }
    const soft = input.implicit?.has(d.key) === true;
    const mine = [...new Set((soft ? (d.tlsHosts ?? []) : d.hosts).map((h) => h.toLowerCase()))];
    if (candidates === undefined) {
      discovers = true;
      for (const h of mine) if (!hosts.includes(h)) hosts.push(h);
      continue;
    }
    const found: string[] = [];
    const uncovered: string[] = [];
    for (const host of mine) {
      const covering = candidates.filter((c) =>
        c.domains.some((dn) => certificateCovers(dn, host)),
      );
      if (covering.length === 0) uncovered.push(host);
      for (const c of covering) if (!found.includes(c.arn)) found.push(c.arn);
    }
    const added = found.filter((arn) => !certificates.includes(arn));
    const overLimit = certificates.length + added.length > MAX_LISTENER_CERTIFICATES;
    if (soft && (found.length === 0 || overLimit)) {
      dropped.push(d.key);
      problems.push(
        problem(
          d.key,
          'spec.tls[].hosts',
          mine.join(','),
          `${found.length === 0 ? `no ISSUED ACM certificate covers ${mine.length === 0 ? 'any host (spec.tls and the rules list none)' : 'these hosts'}` : `their certificates would take HTTPS listener ${port} past ${MAX_LISTENER_CERTIFICATES}`}, so they get no HTTPS:${port} listener and HTTP keeps serving them; issue or import a certificate, give ${albAnnotation('certificate-arn')}, or set ${albAnnotation('listen-ports')}`,
          'warning',
        ),
      );
      continue;
    }
    discovers = true;
    for (const h of mine) if (!hosts.includes(h)) hosts.push(h);
    for (const host of uncovered) {
      if (soft) {
        problems.push(
          problem(
            d.key,
            'spec.tls[].hosts',
            host,
            `no ISSUED ACM certificate covers this host: HTTPS clients of it get listener ${port}'s default certificate; issue or import one, or give ${albAnnotation('certificate-arn')}`,
            'warning',
          ),
        );
        continue;
      }
      problems.push(
        problem(
          d.key,
          'spec.rules[].host, spec.tls[].hosts',
          host,
          `no ISSUED ACM certificate covers this host (exactly or by a single-label wildcard)${input.allowedCas.length > 0 ? ' from the allowed certificate authorities' : ''}; issue or import one, or give ${albAnnotation('certificate-arn')}`,
        ),
      );
    }
    if (overLimit) {
      if (!frozen.has(d.key)) {
        problems.push(
          problem(
            d.key,
            'spec.rules[].host, spec.tls[].hosts',
            mine.join(','),
            `discovery adds ${added.length} certificates to the ${certificates.length} of HTTPS listener ${port}; a listener takes at most ${MAX_LISTENER_CERTIFICATES} (a default and 25 SNI)`,
          ),
        );
      }
      continue;
    }
    certificates.push(...added);
  }
  const discovery = discovers ? { discovery: { hosts, resolved: candidates !== undefined } } : {};
  const pending = discovers && candidates === undefined && hosts.length > 0;
  if (certificates.length === 0 && !pending) {
    for (const d of members) {
      if (frozen.has(d.key) || dropped.includes(d.key)) continue;
      if (problems.some((p) => p.ingress === d.key)) continue;
      problems.push(
        problem(
          d.key,
          albAnnotation('certificate-arn'),
          '',
          candidates === undefined
            ? `HTTPS listener ${port} has no certificate: give certificate-arn, or hosts (spec.rules[].host, spec.tls[].hosts) for ACM certificate discovery`
            : `HTTPS listener ${port} has no certificate: give certificate-arn, or hosts (spec.rules[].host, spec.tls[].hosts) that an ISSUED ACM certificate covers`,
          candidates === undefined ? 'warning' : 'error',
        ),
      );
    }
  }
  return { certificates, ...discovery, problems, dropped };
}
