/**
 * The controller's reconcile machinery in the test's own process, as controller/plug.ts
 * wires it: caches (informers) on the real API server, the event mapper, and a Reconciler
 * whose AWS clients point at the emulator and count every call. For integration tests and
 * benchmarks that drive reconciles themselves; e2e tests run the real process instead.
 */
import { CoreV1Api, NetworkingV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createAwsClients, type AwsClientOptions, type AwsClients } from '../../pkg/aws/index.ts';
import {
  ClusterCaches,
  ensureDigestKey,
  GroupKeyMapper,
  wireEvents,
  type DigestKeyRef,
} from '../../pkg/k8s/index.ts';
import { defaultTranslateConfig, type TranslateConfig } from '../../pkg/translate/index.ts';
import { Reconciler, type ReconcilerOptions } from '../../controller/reconciler.ts';
import { testCredentials } from './aws-clients.ts';
import type { TestEnv } from './testenv.ts';

type Wired = 'caches' | 'mapper' | 'networking' | 'core' | 'clients' | 'vpcId' | 'translate';

export interface InProcessReconcilerOptions {
  /** Watch only this namespace (and tell the reconciler so); unset: every namespace. */
  readonly namespace?: string;
  /** Receives every work key the mapper produces. @default ignores them */
  readonly enqueue?: (key: string) => void;
  /** Wait for the caches' first list before returning. @default true */
  readonly waitForSync?: boolean;
  /** Talk to the API server as this config (e.g. impersonating the chart's ServiceAccount). @default env.kc */
  readonly kc?: KubeConfig;
  /**
   * Where the digest key Secret is kept (and made, as `kc`).
   * @default `albatross-digest-key` in `namespace`, else in `default`
   */
  readonly digestKeySecret?: DigestKeyRef;
  /** Translate settings other than the cluster name (e.g. an account's `quotas`). */
  readonly translate?: Partial<Omit<TranslateConfig, 'clusterName'>>;
  /** Retry and rate-limit settings of the AWS clients, as the controller's flags set them. */
  readonly aws?: Pick<AwsClientOptions, 'rateLimits' | 'maxAttempts' | 'retryMode'>;
  /** Where the AWS clients send their calls, e.g. a FaultProxy's endpoint. @default env.state.awsEndpoint */
  readonly awsEndpoint?: string;
  /** Further Reconciler options (clock, discovery interval, …). */
  readonly reconciler?: Partial<Omit<ReconcilerOptions, Wired>>;
}

export interface InProcessReconciler {
  readonly aws: AwsClients;
  readonly core: CoreV1Api;
  readonly net: NetworkingV1Api;
  readonly caches: ClusterCaches;
  readonly mapper: GroupKeyMapper;
  readonly translate: TranslateConfig;
  readonly reconciler: Reconciler;
  stop(): Promise<void>;
}

export async function startInProcessReconciler(
  env: TestEnv,
  options: InProcessReconcilerOptions = {},
): Promise<InProcessReconciler> {
  const aws = createAwsClients({
    region: env.state.region,
    endpoint: options.awsEndpoint ?? env.state.awsEndpoint,
    credentials: testCredentials,
    ...options.aws,
  });
  const kc = options.kc ?? env.kc;
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const ns = options.namespace;
  const digestKey = await ensureDigestKey(
    core,
    options.digestKeySecret ?? { namespace: ns ?? 'default', name: 'albatross-digest-key' },
  );
  const caches = new ClusterCaches({
    kc,
    digestKey,
    ...(ns !== undefined ? { watchNamespace: ns } : {}),
  });
  const translate: TranslateConfig = {
    ...defaultTranslateConfig,
    ...options.translate,
    clusterName: env.clusterName,
  };
  const mapper = new GroupKeyMapper(caches, translate);
  wireEvents(caches, mapper, options.enqueue ?? (() => undefined));
  await caches.start();
  if (options.waitForSync !== false) {
    const deadline = Date.now() + 30_000;
    while (!caches.hasSynced()) {
      if (Date.now() > deadline) throw new Error('caches did not sync within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const reconciler = new Reconciler({
    caches,
    mapper,
    networking: net,
    core,
    clients: aws,
    vpcId: env.world.vpcId,
    translate,
    ...(ns !== undefined ? { watchNamespace: ns } : {}),
    ...options.reconciler,
  });
  return {
    aws,
    core,
    net,
    caches,
    mapper,
    translate,
    reconciler,
    async stop() {
      await caches.stop();
      aws.destroy();
    },
  };
}
