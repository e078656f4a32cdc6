/**
 * `albatross controller`: parse the configuration (a usage error exits 2 before anything
 * is touched), build the clients, plug in the reconciler and run the manager until
 * SIGTERM/SIGINT (exit 0) or a lost Lease (exit 1).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { createAwsClients, formatRateLimits, type AwsClients } from '../pkg/aws/index.ts';
import type { CliIo, ExitCode } from '../pkg/cli/index.ts';
import { CONTROLLER_HELP, loadControllerConfig, type ControllerConfig } from './config.ts';
import { electionIdentity, kubeLeaseClient } from './leader-election.ts';
import { createLogger, type Logger } from './log.ts';
import { Manager, type ControllerPlug } from './manager.ts';

/** What a plug is built from. */
export interface PlugContext {
  readonly config: ControllerConfig;
  readonly kc: KubeConfig;
  readonly aws: AwsClients;
  readonly log: Logger;
}

export type PlugFactory = (context: PlugContext) => ControllerPlug | Promise<ControllerPlug>;

export async function runController(
  argv: readonly string[],
  io: CliIo,
  createPlug: PlugFactory,
): Promise<ExitCode> {
  const parsed = loadControllerConfig(argv);
  if (parsed.kind === 'help') {
    io.stdout(CONTROLLER_HELP);
    return 0;
  }
  if (parsed.kind === 'usage-error') {
    io.stderr(`${parsed.message}\n`);
    return 2;
  }
  const config = parsed.options;
  const log = createLogger({ level: config.logLevel, write: io.stderr });
  const kc = new KubeConfig();
  try {
    if (config.kubeconfig !== undefined) kc.loadFromFile(config.kubeconfig);
    else kc.loadFromCluster();
  } catch (err) {
    log.error('cannot load the Kubernetes configuration', {
      kubeconfig: config.kubeconfig ?? '(in-cluster)',
      error: err,
    });
    return 1;
  }
  const stop = new AbortController();
  const aws = createAwsClients({
    region: config.aws.region,
    ...(config.aws.endpoint !== undefined ? { endpoint: config.aws.endpoint } : {}),
    rateLimits: config.aws.rateLimits,
    signal: stop.signal,
  });
  const identity = electionIdentity();
  log.info('starting', {
    identity,
    cluster: config.translate.clusterName,
    region: config.aws.region,
    watchNamespace: config.watchNamespace ?? '(all)',
    leaderElection: config.leaderElection.enabled,
    awsApiRateLimits: formatRateLimits(config.aws.rateLimits),
  });
  const onSignal = (name: NodeJS.Signals): void => {
    if (stop.signal.aborted) {
      // A second signal: the operator does not want to wait for the drain.
      log.warn('second signal: exiting without draining', { signal: name });
      process.exit(1);
    }
    log.info('signal received', { signal: name });
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const plug = await createPlug({ config, kc, aws, log });
    const le = config.leaderElection;
    const manager = new Manager({
      config,
      plug,
      log,
      identity,
      awsCalls: aws.calls,
      awsLimiter: aws.limiter,
      ...(le.enabled ? { lease: kubeLeaseClient(kc, le.namespace, le.name) } : {}),
    });
    return await manager.run(stop.signal);
  } catch (err) {
    log.error('controller failed', { error: err });
    return 1;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    aws.destroy();
  }
}
