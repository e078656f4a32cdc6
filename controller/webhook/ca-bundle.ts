/**
 * Self-managed mode, leader only: keep the caBundle of every webhook in our
 * MutatingWebhookConfiguration equal to the CA in the Secret. One read when it is
 * already equal (the steady state); one JSON patch of just the webhooks that differ
 * otherwise, guarded by a `test` of the resourceVersion so a concurrent edit (a Helm
 * upgrade) is re-read rather than overwritten.
 *
 * A configuration that does not exist (not installed yet, or the chart uses cert-manager
 * and this replica runs in the wrong mode) is left alone and reported once per call.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { AdmissionregistrationV1Api } from '@kubernetes/client-node';
import { isNotFound } from '../../pkg/k8s/index.ts';

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

export type CaBundleOutcome = 'unchanged' | 'patched' | 'missing';

/** Brings every webhook's caBundle in line with `caPem`. */
export async function syncCaBundle(
  api: AdmissionregistrationV1Api,
  configurationName: string,
  caPem: string,
): Promise<{ readonly outcome: CaBundleOutcome; readonly webhooks: number }> {
  let config;
  try {
    config = await api.readMutatingWebhookConfiguration({ name: configurationName });
  } catch (err) {
    if (isNotFound(err)) return { outcome: 'missing', webhooks: 0 };
    throw err;
  }
  const want = Buffer.from(caPem, 'utf8').toString('base64');
  const ops: object[] = [
    { op: 'test', path: '/metadata/resourceVersion', value: config.metadata?.resourceVersion },
  ];
  (config.webhooks ?? []).forEach((webhook, i) => {
    if (webhook.clientConfig.caBundle === want) return;
    ops.push({ op: 'add', path: `/webhooks/${String(i)}/clientConfig/caBundle`, value: want });
  });
  if (ops.length === 1) return { outcome: 'unchanged', webhooks: 0 };
  await api.patchMutatingWebhookConfiguration({ name: configurationName, body: ops }, jsonPatch);
  return { outcome: 'patched', webhooks: ops.length - 1 };
}
