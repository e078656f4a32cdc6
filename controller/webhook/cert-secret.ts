/**
 * The self-managed certificate, shared by every replica through one Secret
 * (`kubernetes.io/tls`: tls.crt, tls.key, ca.crt, and ca.key to sign renewals).
 *
 * Whoever finds it missing creates it; whoever finds it due (see cert-rotation.ts)
 * replaces it, with the resourceVersion as the lock: two replicas racing make one write,
 * and the loser reads the winner's. A renewed serving certificate keeps its CA, so the
 * webhook's caBundle does not change; only a CA renewal (every 3⅓ years) changes it.
 */
import type { CoreV1Api, V1Secret } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../../pkg/k8s/index.ts';
import type { Logger } from '../log.ts';
import { renewalReason } from './cert-rotation.ts';
import {
  certFacts,
  createCa,
  createServingCert,
  signedBy,
  type WebhookCerts,
} from './self-managed-cert.ts';

export interface CertSecretRef {
  readonly namespace: string;
  readonly name: string;
  /** DNS names and IP addresses the serving certificate must cover. */
  readonly sans: readonly string[];
}

const decode = (data: Record<string, string> | undefined, key: string): string =>
  Buffer.from(data?.[key] ?? '', 'base64').toString('utf8');
const encode = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function certsOfSecret(secret: V1Secret): WebhookCerts {
  const d = secret.data;
  return {
    ca: { cert: decode(d, 'ca.crt'), key: decode(d, 'ca.key') },
    serving: { cert: decode(d, 'tls.crt'), key: decode(d, 'tls.key') },
  };
}

function secretData(certs: WebhookCerts): Record<string, string> {
  return {
    'ca.crt': encode(certs.ca.cert),
    'ca.key': encode(certs.ca.key),
    'tls.crt': encode(certs.serving.cert),
    'tls.key': encode(certs.serving.key),
  };
}

/** What must be renewed in what the Secret holds, and why; `undefined` when nothing. */
async function dueRenewal(
  certs: WebhookCerts,
  sans: readonly string[],
  now: number,
): Promise<{ readonly ca: boolean; readonly reason: string } | undefined> {
  const ca = certFacts(certs.ca.cert);
  const caWhy = ca === undefined || certs.ca.key === '' ? 'unreadable' : renewalReason(ca, [], now);
  if (caWhy !== undefined) return { ca: true, reason: `CA ${caWhy}` };
  const serving = certFacts(certs.serving.cert);
  const why =
    serving === undefined || certs.serving.key === ''
      ? 'unreadable'
      : !(await signedBy(certs.serving.cert, certs.ca.cert))
        ? 'not signed by the CA'
        : renewalReason(serving, sans, now);
  return why === undefined ? undefined : { ca: false, reason: `serving certificate ${why}` };
}

/** The certificates the Secret holds after making sure they are present and current. */
export async function ensureCertSecret(
  core: CoreV1Api,
  ref: CertSecretRef,
  log: Logger,
  now: () => number = Date.now,
): Promise<WebhookCerts> {
  for (let attempt = 0; ; attempt++) {
    let secret: V1Secret | undefined;
    try {
      secret = await core.readNamespacedSecret({ namespace: ref.namespace, name: ref.name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      if (secret === undefined) {
        const ca = await createCa(now(), `albatross-webhook-ca.${ref.namespace}`);
        const certs = { ca, serving: await createServingCert(ca, ref.sans, now()) };
        await core.createNamespacedSecret({
          namespace: ref.namespace,
          body: {
            metadata: {
              name: ref.name,
              namespace: ref.namespace,
              labels: { 'app.kubernetes.io/managed-by': 'albatross' },
            },
            type: 'kubernetes.io/tls',
            data: secretData(certs),
          },
        });
        log.info('webhook certificate created', { secret: `${ref.namespace}/${ref.name}` });
        return certs;
      }
      const held = certsOfSecret(secret);
      const due = await dueRenewal(held, ref.sans, now());
      if (due === undefined) return held;
      const ca = due.ca ? await createCa(now(), `albatross-webhook-ca.${ref.namespace}`) : held.ca;
      const certs = { ca, serving: await createServingCert(ca, ref.sans, now()) };
      // Only our keys are rewritten; anything else in the Secret is someone else's.
      await core.replaceNamespacedSecret({
        namespace: ref.namespace,
        name: ref.name,
        body: Object.assign(secret, { data: Object.assign(secret.data ?? {}, secretData(certs)) }),
      });
      log.info('webhook certificate renewed', {
        secret: `${ref.namespace}/${ref.name}`,
        reason: due.reason,
      });
      return certs;
    } catch (err) {
      // Another replica wrote first: read what it wrote.
      if (attempt < 3 && isConflict(err)) continue;
      throw err;
    }
  }
}
