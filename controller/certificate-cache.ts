/**
 * The region's ISSUED ACM certificates, listed once and kept for a short while, shared by
 * every group: a burst of reconciles (a resync, a hundred new Ingresses) costs one
 * listing, not one per group; a certificate issued later is picked up once the TTL has
 * passed (`--certificate-discovery-ttl`). Only groups that discover certificates ask.
 */
import type { AwsClients } from '../pkg/aws/index.ts';
import { listAcmCertificates } from '../pkg/deploy/index.ts';
import type { AcmCertificate } from '../pkg/translate/index.ts';

export interface CertificateCacheOptions {
  readonly clients: AwsClients;
  /** @default 60000 */
  readonly ttlMs?: number;
  /** A CA filter is set (`--allowed-certificate-authority-arns`): private certificates need their issuer. */
  readonly needIssuer?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
}

export class CertificateCache {
  readonly #options: CertificateCacheOptions;
  readonly #described = new Map<string, AcmCertificate>();
  #value: { readonly at: number; readonly list: Promise<readonly AcmCertificate[]> } | undefined;

  constructor(options: CertificateCacheOptions) {
    this.#options = options;
  }

  /** The certificates; concurrent callers share one listing. */
  get(signal?: AbortSignal): Promise<readonly AcmCertificate[]> {
    const now = (this.#options.now ?? Date.now)();
    const ttl = this.#options.ttlMs ?? 60_000;
    if (this.#value !== undefined && now - this.#value.at < ttl) return this.#value.list;
    const list = listAcmCertificates(
      {
        clusterName: '',
        vpcId: '',
        clients: this.#options.clients,
        ...(signal !== undefined ? { signal } : {}),
      },
      { needIssuer: this.#options.needIssuer ?? false, described: this.#described },
    );
    this.#value = { at: now, list };
    // A failed listing is not kept: the next reconcile asks again.
    list.catch(() => {
      if (this.#value?.list === list) this.#value = undefined;
    });
    return list;
  }
}
