/**
 * Where the serving certificate comes from, and how its changes reach the server.
 *
 * - Self-managed (no --webhook-cert-dir): the Secret (see cert-secret.ts), watched by
 *   name so every replica swaps in a renewal another replica wrote; checked for renewal
 *   at start, on every change of the Secret and every hour.
 * - cert-manager (--webhook-cert-dir): tls.crt and tls.key in the directory, re-read
 *   every few seconds (a Secret volume is updated by swapping a symlink, which file
 *   watches miss); the caBundle is cert-manager's cainjector's to keep.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Secret } from '@kubernetes/client-node';
import { Informer, stripMetadata } from '../../pkg/k8s/index.ts';
import type { Logger } from '../log.ts';
import { ensureCertSecret, type CertSecretRef } from './cert-secret.ts';
import type { CertPair } from './self-managed-cert.ts';

export interface CertificateSource {
  /** The pair to serve now. */
  readonly current: CertPair;
  /** The CA to put in the caBundle; `undefined` in cert-dir mode (not ours to keep). */
  caPem(): string | undefined;
  /** Called with each new pair (and, self-managed, after the CA may have changed). */
  onChange(listener: () => void): void;
  stop(): Promise<void>;
}

const RENEWAL_CHECK_MS = 3600_000;
const CERT_DIR_POLL_MS = 5000;

export async function selfManagedCertificates(
  kc: KubeConfig,
  ref: CertSecretRef,
  log: Logger,
  now: () => number = Date.now,
): Promise<CertificateSource> {
  const core = kc.makeApiClient(CoreV1Api);
  let certs = await ensureCertSecret(core, ref, log, now);
  const listeners: (() => void)[] = [];
  const adopt = (next: typeof certs): void => {
    if (next.serving.cert === certs.serving.cert && next.ca.cert === certs.ca.cert) return;
    certs = next;
    for (const l of listeners) l();
  };
  let checking = false;
  const check = async (): Promise<void> => {
    if (checking) return;
    checking = true;
    try {
      adopt(await ensureCertSecret(core, ref, log, now));
    } catch (error) {
      log.error('webhook certificate check failed', { error });
    } finally {
      checking = false;
    }
  };
  const selector = { fieldSelector: `metadata.name=${ref.name}` };
  const secrets = new Informer<V1Secret>({
    kind: 'Secret',
    kc,
    path: `/api/v1/namespaces/${ref.namespace}/secrets`,
    list: () => core.listNamespacedSecret({ namespace: ref.namespace, ...selector }),
    strip: stripMetadata,
    ...selector,
  });
  // A renewal by another replica is adopted; a deleted Secret is made again (and the
  // leader pushes its new CA).
  secrets.onChange(() => {
    void check();
  });
  await secrets.start();
  const timer = setInterval(() => void check(), RENEWAL_CHECK_MS);
  timer.unref();
  return {
    get current() {
      return certs.serving;
    },
    caPem: () => certs.ca.cert,
    onChange(listener) {
      listeners.push(listener);
    },
    async stop() {
      clearInterval(timer);
      await secrets.stop();
    },
  };
}

export async function certDirCertificates(dir: string, log: Logger): Promise<CertificateSource> {
  const read = async (): Promise<CertPair> => ({
    cert: await readFile(join(dir, 'tls.crt'), 'utf8'),
    key: await readFile(join(dir, 'tls.key'), 'utf8'),
  });
  let pair = await read();
  const listeners: (() => void)[] = [];
  const timer = setInterval(() => {
    read().then(
      (next) => {
        if (next.cert === pair.cert && next.key === pair.key) return;
        pair = next;
        log.info('webhook certificate reloaded', { dir });
        for (const l of listeners) l();
      },
      (error: unknown) => {
        // Mid-rotation the two files may briefly disagree or be missing; keep the old pair.
        log.debug('webhook certificate directory unreadable', { dir, error });
      },
    );
  }, CERT_DIR_POLL_MS);
  timer.unref();
  return {
    get current() {
      return pair;
    },
    caPem: () => undefined,
    onChange(listener) {
      listeners.push(listener);
    },
    stop() {
      clearInterval(timer);
      return Promise.resolve();
    },
  };
}
