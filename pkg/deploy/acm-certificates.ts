/**
 * The region's ISSUED ACM certificates with their domains, for certificate discovery.
 *
 * Reads: ListCertificates (status ISSUED), paginated, then DescribeCertificate only where
 * the summary is not enough: its SAN summary is missing or truncated
 * (HasAdditionalSubjectAlternativeNames), or the issuing CA is needed (a CA filter is set
 * and the certificate is a private one). Descriptions are remembered in `described`, keyed
 * by ARN and the dates a re-import or renewal changes, so a refresh describes only new or
 * changed certificates.
 */
import { DescribeCertificateCommand, ListCertificatesCommand } from '@aws-sdk/client-acm';
import type { CertificateSummary } from '@aws-sdk/client-acm';
import type { AcmCertificate } from '../translate/index.ts';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

export type DescribedCertificates = Map<string, AcmCertificate>;

export interface ListCertificatesOptions {
  /** A CA filter is set: private certificates need their issuer. */
  readonly needIssuer: boolean;
  /** Descriptions kept between refreshes (see above). */
  readonly described: DescribedCertificates;
}

function stamp(s: CertificateSummary): string {
  const t = (d: Date | undefined) => (d === undefined ? '' : String(d.getTime()));
  return `${s.CertificateArn ?? ''}|${t(s.NotAfter)}|${t(s.ImportedAt)}|${t(s.IssuedAt)}`;
}

async function describe(ctx: DeployContext, arn: string): Promise<AcmCertificate> {
  const out = await call(ctx, 'DescribeCertificate', () =>
    ctx.clients.acm.send(new DescribeCertificateCommand({ CertificateArn: arn }), sendOptions(ctx)),
  );
  const c = out.Certificate;
  const domains = [...new Set([c?.DomainName ?? '', ...(c?.SubjectAlternativeNames ?? [])])];
  return {
    arn,
    domains: domains.filter((d) => d !== ''),
    status: c?.Status ?? 'UNKNOWN',
    ...(c?.CertificateAuthorityArn !== undefined
      ? { certificateAuthorityArn: c.CertificateAuthorityArn }
      : {}),
  };
}

export async function listAcmCertificates(
  ctx: DeployContext,
  options: ListCertificatesOptions,
): Promise<AcmCertificate[]> {
  const summaries: CertificateSummary[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, 'ListCertificates', () =>
      ctx.clients.acm.send(
        new ListCertificatesCommand({
          CertificateStatuses: ['ISSUED'],
          MaxItems: 1000,
          ...(token === undefined ? {} : { NextToken: token }),
        }),
        sendOptions(ctx),
      ),
    );
    summaries.push(...(page.CertificateSummaryList ?? []));
    token = page.NextToken === '' ? undefined : page.NextToken;
  } while (token !== undefined);

  const out: AcmCertificate[] = [];
  const seen = new Set<string>();
  for (const s of summaries) {
    const arn = s.CertificateArn;
    if (arn === undefined) continue;
    // An issuer filter excludes every certificate no private CA issued: no need to look.
    if (options.needIssuer && s.Type !== 'PRIVATE') continue;
    const key = stamp(s);
    seen.add(key);
    const sans = s.SubjectAlternativeNameSummaries;
    if (
      !options.needIssuer &&
      sans !== undefined &&
      s.HasAdditionalSubjectAlternativeNames !== true
    ) {
      const domains = [...new Set([s.DomainName ?? '', ...sans])].filter((d) => d !== '');
      out.push({ arn, domains, status: s.Status ?? 'ISSUED' });
      continue;
    }
    let known = options.described.get(key);
    if (known === undefined) {
      known = await describe(ctx, arn);
      options.described.set(key, known);
    }
    out.push(known);
  }
  // Forget descriptions of certificates that are gone or changed.
  for (const key of options.described.keys()) if (!seen.has(key)) options.described.delete(key);
  return out.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
}
