/**
 * Pod readiness gates, wired: the webhook server (every replica), its certificate
 * source, the gated-pod cache, and two leader-only queue keys:
 *
 * - `readiness-gates:` — one pass of the condition loop (pod-conditions.ts);
 * - `webhook-ca-bundle:` — self-managed mode: keep the MutatingWebhookConfiguration's
 *   caBundle equal to our CA, re-checked every minute (a Helm upgrade re-applies the
 *   configuration with an empty caBundle) and at once when the Secret's CA changes;
 * - `ungated-pods:` — report the pods that should carry a gate and do not
 *   (ungated-pods.ts), the price of the webhook's failurePolicy Ignore.
 *
 * The plug (controller/plug.ts) starts it with the caches, hands it its keys, and
 * routes the keys to `process`.
 */
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { AwsClients } from '../../pkg/aws/index.ts';
import { EventRecorder, gatedPodsInformer, type Informer } from '../../pkg/k8s/index.ts';
import type { ClusterCaches, GroupKeyMapper } from '../../pkg/k8s/index.ts';
import {
  gatedAddresses,
  serviceSelectorMatches,
  type TranslateConfig,
} from '../../pkg/translate/index.ts';
import type { WebhookConfig } from '../config.ts';
import type { HandledResult } from '../handle-result.ts';
import type { Logger } from '../log.ts';
import { processWith } from '../manager.ts';
import { syncCaBundle } from '../webhook/ca-bundle.ts';
import { servingSans } from '../webhook/cert-rotation.ts';
import {
  certDirCertificates,
  selfManagedCertificates,
  type CertificateSource,
} from '../webhook/certificate-source.ts';
import { gateLookup, ingressRouteSource, type PodRouteSource } from '../webhook/pod-routes.ts';
import { startWebhookServer, type RunningWebhookServer } from '../webhook/webhook-server.ts';
import { PodConditionLoop, READINESS_GATES_KEY } from './pod-conditions.ts';
import { TargetHealthReader } from './target-health.ts';
import { isGatedNamespace, UNGATED_PODS_KEY, UngatedPodReport } from './ungated-pods.ts';

export const CA_BUNDLE_KEY = 'webhook-ca-bundle:';
const CA_BUNDLE_RECHECK_MS = 60_000;

export interface ReadinessGatesOptions {
  readonly webhook: WebhookConfig;
  readonly kc: KubeConfig;
  readonly caches: ClusterCaches;
  readonly aws: AwsClients;
  readonly translate: TranslateConfig;
  readonly log: Logger;
  readonly watchNamespace?: string;
  /** Further route sources (the TargetGroupBinding one) after the Ingress one. */
  readonly extraSources?: readonly PodRouteSource[];
  /** What those sources read from: a change there wakes the condition loop. */
  readonly extraSourceEvents?: readonly { onChange(handler: () => void): void }[];
  /** Where the ungated-pod Warnings go. @default a recorder of its own */
  readonly events?: EventRecorder;
  /** Tests: listen on this host only. @default every interface */
  readonly host?: string;
  /** Turns a Service whose gated pods changed into `targets:` keys. */
  readonly mapper?: Pick<GroupKeyMapper, 'serviceTargetsChanged'>;
  /** The `tgb:` keys of the bindings of a Service (`namespace`, `name`). */
  readonly bindingKeys?: (namespace: string, service: string) => readonly string[];
}

export class ReadinessGates {
  readonly pods: Informer<V1Pod>;
  readonly loop: PodConditionLoop;
  readonly ungated: UngatedPodReport;
  readonly #o: ReadinessGatesOptions;
  readonly #sources: readonly PodRouteSource[];
  #server: RunningWebhookServer | undefined;
  /** What registration saw of each gated pod last (see #registrationMayChange). */
  readonly #registration = new Map<string, string>();
  #certs: CertificateSource | undefined;
  #stopped = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryWake: (() => void) | undefined;
  readonly #processLoop: (key: string, signal: AbortSignal) => Promise<HandledResult>;
  readonly #processUngated: (key: string, signal: AbortSignal) => Promise<HandledResult>;
  readonly #processCaBundle: (key: string, signal: AbortSignal) => Promise<HandledResult>;

  constructor(options: ReadinessGatesOptions) {
    this.#o = options;
    const { kc, caches, log } = options;
    this.#sources = [
      ingressRouteSource(caches, options.translate),
      ...(options.extraSources ?? []),
    ];
    this.pods = gatedPodsInformer({
      kc,
      ...(options.watchNamespace !== undefined ? { watchNamespace: options.watchNamespace } : {}),
      onRestart: (kind, reason) => {
        log.warn('watch restarted', { kind, reason });
      },
    });
    this.loop = new PodConditionLoop({
      pods: () => this.pods.list(),
      sources: this.#sources,
      health: new TargetHealthReader(options.aws),
      core: kc.makeApiClient(CoreV1Api),
    });
    this.ungated = new UngatedPodReport({
      caches,
      sources: this.#sources,
      gatedPods: () => this.pods.list(),
      core: kc.makeApiClient(CoreV1Api),
      events: options.events ?? new EventRecorder(kc.makeApiClient(CoreV1Api)),
      ...(options.watchNamespace !== undefined ? { watchNamespace: options.watchNamespace } : {}),
    });
    this.#processUngated = processWith((_key, signal) => this.ungated.pass(signal), log);
    this.#processLoop = processWith((_key, signal) => this.loop.pass(signal), log);
    const admission = kc.makeApiClient(AdmissionregistrationV1Api);
    this.#processCaBundle = processWith(async () => {
      const ca = this.#certs?.caPem();
      if (ca === undefined) return { changesApplied: 0 };
      const name = options.webhook.configurationName;
      const done = await syncCaBundle(admission, name, ca);
      if (done.outcome === 'patched')
        log.info('webhook caBundle updated', { configuration: name, webhooks: done.webhooks });
      if (done.outcome === 'missing')
        log.debug('webhook configuration not found', { configuration: name });
      return { changesApplied: done.webhooks, requeueAfterMs: CA_BUNDLE_RECHECK_MS };
    }, log);
  }

  /** The port the webhook listens on, once started. */
  get port(): number | undefined {
    return this.#server?.port;
  }

  /** Starts the pod cache, then the certificate source and the server (see #serve). */
  async start(enqueue: (key: string) => void): Promise<void> {
    const poke = (): void => {
      if (!this.loop.hasPending()) return;
      this.loop.nudge();
      enqueue(READINESS_GATES_KEY);
    };
    this.pods.onChange(poke);
    this.pods.onChange((type, pod) => {
      this.#registrationMayChange(type === 'deleted', pod, enqueue);
    });
    const { caches } = this.#o;
    caches.services.onChange(poke);
    caches.ingresses.onChange(poke);
    for (const events of this.#o.extraSourceEvents ?? []) events.onChange(poke);
    // The ungated-pod report: what changes a pod's routes, or who its targets are.
    const gatedNamespace = (namespace: string | undefined): boolean => {
      const ns = caches.namespaces.get(namespace ?? '');
      return ns !== undefined && isGatedNamespace(ns);
    };
    const touch = (namespace: string): void => {
      this.ungated.touch(namespace);
      enqueue(UNGATED_PODS_KEY);
    };
    const report = (_type: string, o: { metadata?: { namespace?: string } }): void => {
      const namespace = o.metadata?.namespace;
      if (namespace !== undefined && gatedNamespace(namespace)) touch(namespace);
    };
    caches.endpointSlices.onChange(report);
    caches.services.onChange(report);
    caches.ingresses.onChange(report);
    // A label added or removed: that namespace's pods are (or are no longer) concerned.
    caches.namespaces.onChange((_type, n) => {
      touch(n.metadata?.name ?? '');
    });
    // A binding names no namespace in its event: every namespace is looked at again.
    for (const events of this.#o.extraSourceEvents ?? [])
      events.onChange(() => {
        this.ungated.touchAll();
        enqueue(UNGATED_PODS_KEY);
      });
    await this.pods.start();
    if (!(await this.#tryServing(enqueue, 2000))) void this.#serve(enqueue);
  }

  /**
   * The certificate and the server. A failure here (no RBAC on the Secret yet, the port
   * taken, an empty cert directory) must not stop Ingress reconciles: it is logged and
   * retried with back-off until it works or the controller stops, and meanwhile the
   * API server's calls fail and failurePolicy Ignore lets pods through without gates.
   */
  async #serve(enqueue: (key: string) => void): Promise<void> {
    let delayMs = 2000;
    while (!this.#isStopped()) {
      await new Promise<void>((resolve) => {
        this.#retryTimer = setTimeout(resolve, delayMs);
        this.#retryWake = resolve;
      });
      delayMs = Math.min(delayMs * 2, 60_000);
      if (this.#isStopped() || (await this.#tryServing(enqueue, delayMs))) return;
    }
  }

  /** Re-read after an await: stop() may have run meanwhile. */
  #isStopped(): boolean {
    return this.#stopped;
  }

  async #tryServing(enqueue: (key: string) => void, retryInMs: number): Promise<boolean> {
    try {
      await this.#startServing(enqueue);
      return true;
    } catch (error) {
      await this.#certs?.stop();
      this.#certs = undefined;
      this.#o.log.error('webhook not serving: retrying', { error, retryInMs });
      return false;
    }
  }

  async #startServing(enqueue: (key: string) => void): Promise<void> {
    const { webhook, kc, log } = this.#o;
    this.#certs =
      webhook.certDir !== undefined
        ? await certDirCertificates(webhook.certDir, log)
        : await selfManagedCertificates(
            kc,
            {
              namespace: webhook.serviceNamespace,
              name: webhook.secretName,
              sans: servingSans(webhook.serviceName, webhook.serviceNamespace, webhook.extraSans),
            },
            log,
          );
    const certs = this.#certs;
    this.#server = await startWebhookServer({
      ...(this.#o.host !== undefined ? { host: this.#o.host } : {}),
      port: webhook.port,
      certificate: certs.current,
      gatesFor: gateLookup(this.#sources),
      log,
    });
    const server = this.#server;
    certs.onChange(() => {
      try {
        server.setCertificate(certs.current);
        log.info('webhook serving a new certificate');
      } catch (error) {
        log.error('webhook certificate rejected: still serving the previous one', { error });
      }
      if (certs.caPem() !== undefined) enqueue(CA_BUNDLE_KEY);
    });
    // The leader pushes the CA as soon as there is one.
    if (certs.caPem() !== undefined) enqueue(CA_BUNDLE_KEY);
  }

  /** For the reconciler's Env: pods to register before their endpoint is ready. */
  gatedAddresses(): Map<string, Set<string>> {
    return gatedAddresses(this.pods.list());
  }

  /**
   * A gated pod whose containers became ready (or whose IP or waiting gates changed) must
   * be registered now, though its EndpointSlice does not change: a `targets:` key for
   * every group routing to a Service that selects it, and a `tgb:` key for every
   * binding of such a Service.
   */
  #registrationMayChange(deleted: boolean, pod: V1Pod, enqueue: (key: string) => void): void {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    const signature = deleted ? undefined : JSON.stringify([...gatedAddresses([pod])]);
    if (this.#registration.get(key) === signature) return;
    if (signature === undefined) this.#registration.delete(key);
    else this.#registration.set(key, signature);
    const { mapper, bindingKeys } = this.#o;
    if (mapper === undefined && bindingKeys === undefined) return;
    const namespace = pod.metadata?.namespace ?? '';
    for (const service of this.#o.caches.services.list(namespace)) {
      const selector = service.spec?.selector;
      if (selector === undefined || !serviceSelectorMatches(selector, pod.metadata?.labels))
        continue;
      const name = service.metadata?.name ?? '';
      for (const k of mapper?.serviceTargetsChanged(`${namespace}/${name}`) ?? []) enqueue(k);
      for (const k of bindingKeys?.(namespace, name) ?? []) enqueue(k);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryWake?.();
    await this.#server?.close();
    await this.#certs?.stop();
    await this.pods.stop();
  }

  hasSynced(): boolean {
    return this.pods.hasSynced();
  }

  /** Keys handed out on leading and at each resync. */
  keys(): string[] {
    return this.#o.webhook.certDir === undefined
      ? [READINESS_GATES_KEY, UNGATED_PODS_KEY, CA_BUNDLE_KEY]
      : [READINESS_GATES_KEY, UNGATED_PODS_KEY];
  }

  handles(key: string): boolean {
    return key === READINESS_GATES_KEY || key === CA_BUNDLE_KEY || key === UNGATED_PODS_KEY;
  }

  process(key: string, signal: AbortSignal): Promise<HandledResult> {
    if (key === CA_BUNDLE_KEY) return this.#processCaBundle(key, signal);
    if (key === UNGATED_PODS_KEY) return this.#processUngated(key, signal);
    return this.#processLoop(key, signal);
  }

  /** Pods that lack a gate they should carry (the `albatross_ungated_pods` gauge). */
  ungatedPods(): number {
    return this.ungated.count();
  }
}
