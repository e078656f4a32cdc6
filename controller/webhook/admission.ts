/**
 * One AdmissionReview v1 in, one out: the pod readiness-gate mutation.
 *
 * Never fails a request on our errors: whatever goes wrong (a body we cannot read, a
 * cache lookup that throws), the answer is `allowed: true` with no patch and a log line.
 * A pod without its gate is a pod that may take traffic a little early; a pod that
 * cannot be created is an outage. (The configuration's failurePolicy Ignore covers the
 * controller being down; this covers it being up and wrong.)
 */
import type { V1Pod } from '@kubernetes/client-node';
import { readinessGatePatch } from '../../pkg/translate/index.ts';
import type { Logger } from '../log.ts';

export const MUTATE_POD_PATH = '/mutate-v1-pod';

/** The gate condition types a new pod should carry. */
export type GateLookup = (pod: V1Pod) => readonly string[];

export interface AdmissionReviewOut {
  readonly apiVersion: 'admission.k8s.io/v1';
  readonly kind: 'AdmissionReview';
  readonly response: {
    readonly uid: string;
    readonly allowed: true;
    readonly patchType?: 'JSONPatch';
    readonly patch?: string;
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The answer to one review. `uid` is echoed as the API server requires; a body without
 * one still gets a well-formed answer (the API server will reject it, and failurePolicy
 * Ignore lets the pod through).
 */
export function reviewPod(body: unknown, gatesFor: GateLookup, log: Logger): AdmissionReviewOut {
  const request = isRecord(body) && isRecord(body.request) ? body.request : undefined;
  const uid = typeof request?.uid === 'string' ? request.uid : '';
  const allow = (patch?: string): AdmissionReviewOut => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: {
      uid,
      allowed: true,
      ...(patch !== undefined ? { patchType: 'JSONPatch', patch } : {}),
    },
  });
  try {
    if (request === undefined || !isRecord(request.object)) {
      log.warn('admission review without a pod: allowed unchanged', { uid });
      return allow();
    }
    const kind = isRecord(request.kind) ? request.kind.kind : undefined;
    if (kind !== 'Pod' || request.operation !== 'CREATE') return allow();
    const pod = request.object as V1Pod;
    // generateName pods have no name yet; the namespace comes with the request.
    const namespace = typeof request.namespace === 'string' ? request.namespace : undefined;
    // The object is plain parsed JSON; setting the namespace on it is ours to do.
    if (namespace !== undefined) pod.metadata = Object.assign(pod.metadata ?? {}, { namespace });
    const withNamespace = pod;
    const patch = readinessGatePatch(withNamespace, gatesFor(withNamespace));
    if (patch.length === 0) return allow();
    log.debug('readiness gates injected', {
      namespace: namespace ?? '',
      pod: pod.metadata?.name ?? pod.metadata?.generateName ?? '',
      gates: patch.length - 1,
    });
    return allow(Buffer.from(JSON.stringify(patch)).toString('base64'));
  } catch (error) {
    log.error('readiness gate injection failed: pod allowed without gates', { uid, error });
    return allow();
  }
}
