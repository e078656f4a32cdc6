/**
 * `albatross controller` configuration: flags, each with a matching environment variable,
 * parsed once, validated and frozen. The only file that reads `process.env`.
 *
 * Precedence: the flag, then `ALBATROSS_<FLAG>`, then a conventional variable where one
 * exists (AWS_REGION, AWS_ENDPOINT_URL, KUBECONFIG, POD_NAMESPACE), then the default.
 * A bad or missing value is one line naming the flag (and the variable it came from),
 * the value and what is allowed; the command exits 2 before touching anything.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { ArgsResult } from '../pkg/cli/index.ts';
import {
  deepFreeze,
  fail,
  flag,
  flagHelp,
  isDnsSubdomain,
  normaliseBooleans,
  Reader,
  UsageError,
  type Env,
  type FlagSpec,
  type FlagValues,
} from '../pkg/cli/flag-reader.ts';
import { readNodePortRange, readTranslateConfig, STACK_FLAGS } from '../pkg/cli/translate-flags.ts';
import {
  apiFamilies,
  defaultRateLimits,
  parseRateLimits,
  type RateLimits,
} from '../pkg/aws/index.ts';
import type { NodePortRange } from '../pkg/plan/index.ts';
import type { TranslateConfig } from '../pkg/translate/env.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { logLevels, type LogLevel } from './log.ts';

/** `host:port` to listen on; an empty host means every interface. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

export interface LeaderElectionConfig {
  /** @default true */
  readonly enabled: boolean;
  /** @default POD_NAMESPACE, else 'kube-system' */
  readonly namespace: string;
  /** @default 'albatross-leader' */
  readonly name: string;
  /** @default 15000 */
  readonly leaseDurationMs: number;
  /** @default 10000 */
  readonly renewDeadlineMs: number;
  /** @default 2000 */
  readonly retryPeriodMs: number;
}

export interface ControllerConfig {
  /** Cluster name, defaults and rule order, as the pure core takes them. */
  readonly translate: TranslateConfig;
  readonly aws: {
    readonly region: string;
    /** Unset: the reconciler finds the VPC from the cluster's nodes. */
    readonly vpcId?: string;
    /** Unset: the SDK's own endpoint resolution. */
    readonly endpoint?: string;
    /**
     * Client-side token buckets per API family (`--aws-api-rate-limits`); a family left
     * out is not limited. @default defaultRateLimits (about 80 % of AWS's buckets)
     */
    readonly rateLimits: RateLimits;
  };
  /** Unset: in-cluster service account. */
  readonly kubeconfig?: string;
  /** Unset: every namespace. */
  readonly watchNamespace?: string;
  /** @default 3 */
  readonly workers: number;
  /** @default 36000000 (10h, as controller-runtime) */
  readonly syncPeriodMs: number;
  /**
   * How long a full discovery of a group's AWS resources is trusted while the cheap
   * steady-state check (GetResources + DescribeRules per listener) finds no drift; drift
   * that check cannot see (attributes, security-group rules, targets removed by hand) is
   * repaired within this period plus one sync period. @default 86400000 (24h)
   */
  readonly fullDiscoveryIntervalMs: number;
  /** How long the ACM certificate list of certificate discovery is kept. @default 60000 */
  readonly certificateDiscoveryTtlMs: number;
  /**
   * The cluster's NodePort range (kube-apiserver `--service-node-port-range`): instance
   * targets are admitted by one rule for the whole range per node security group.
   * @default 30000-32767
   */
  readonly nodePortRange: NodePortRange;
  readonly leaderElection: LeaderElectionConfig;
  /** @default ':8080' */
  readonly metricsAddr: ListenAddress;
  /** @default ':8081' */
  readonly healthAddr: ListenAddress;
  /** @default 'info' */
  readonly logLevel: LogLevel;
  /** How long SIGTERM waits for in-flight reconciles before cancelling them. @default 25000 */
  readonly shutdownGracePeriodMs: number;
  /** The pod readiness-gate webhook; `undefined` when `--webhook-port 0` turns it off. */
  readonly webhook?: WebhookConfig;
  /**
   * The Secret holding the cluster's key of OIDC client-secret digests, made on first
   * start. @default 'albatross-digest-key' in the pod namespace (else 'kube-system')
   */
  readonly digestKeySecret: { readonly namespace: string; readonly name: string };
}

/** The mutating admission webhook that injects pod readiness gates (see controller/webhook/). */
export interface WebhookConfig {
  /** HTTPS port on every interface. @default 9443 */
  readonly port: number;
  /** cert-manager mode: serve tls.crt/tls.key from here, reloaded on change. Unset: self-managed. */
  readonly certDir?: string;
  /** The MutatingWebhookConfiguration whose caBundle the leader keeps current (self-managed). @default 'albatross-webhook' */
  readonly configurationName: string;
  /** @default 'albatross-webhook' */
  readonly serviceName: string;
  /** @default POD_NAMESPACE, else the service account's namespace file, else 'kube-system' */
  readonly serviceNamespace: string;
  /** Secret holding the self-managed CA, certificate and key. @default 'albatross-webhook-tls' */
  readonly secretName: string;
  /** Further SANs of the self-managed certificate (DNS names or IP addresses). @default none */
  readonly extraSans: readonly string[];
}

const flags: readonly FlagSpec[] = [
  ...STACK_FLAGS,
  flag(
    'aws-region',
    ['AWS_REGION', 'AWS_DEFAULT_REGION'],
    '(required)',
    'AWS region of the load balancers.',
  ),
  flag('aws-vpc-id', ['ALBATROSS_VPC_ID'], '(from the nodes)', 'VPC of the cluster.'),
  flag(
    'aws-endpoint',
    ['AWS_ENDPOINT_URL'],
    '(SDK default)',
    'Endpoint URL for every AWS service (an emulator, a VPC endpoint).',
  ),
  flag(
    'aws-api-rate-limits',
    [],
    '(80 % of AWS)',
    `Client-side limits per AWS API family: family=rate:burst,... over the defaults, family=0 for no limit, or off. Families: ${apiFamilies.join(', ')}.`,
  ),
  flag('watch-namespace', [], '(all)', 'Watch Ingresses in this namespace only.'),
  flag('workers', [], '3', 'Ingress groups reconciled concurrently (1 to 64).'),
  flag(
    'sync-period',
    [],
    '10h',
    'Reconcile every group at least this often (Go duration, 10s or more).',
  ),
  {
    ...flag(
      'leader-election',
      [],
      'true',
      'Run workers only while holding the Lease (--leader-election=false to disable).',
    ),
    type: 'boolean',
  },
  flag(
    'leader-election-namespace',
    ['POD_NAMESPACE'],
    'kube-system',
    'Namespace of the leader Lease.',
  ),
  flag('leader-election-name', [], 'albatross-leader', 'Name of the leader Lease.'),
  flag('leader-election-lease-duration', [], '15s', 'How long a Lease is valid without renewal.'),
  flag(
    'leader-election-renew-deadline',
    [],
    '10s',
    'A leader that cannot renew for this long stops leading.',
  ),
  flag(
    'leader-election-retry-period',
    [],
    '2s',
    'Interval between Lease acquire and renew attempts.',
  ),
  flag('metrics-addr', [], ':8080', 'Address of /metrics (host:port; port 0 picks a free port).'),
  flag(
    'health-addr',
    [],
    ':8081',
    'Address of /healthz and /readyz (host:port; may equal --metrics-addr).',
  ),
  flag('log-level', [], 'info', `Minimum log level: ${logLevels.join(', ')}.`),
  flag('kubeconfig', ['KUBECONFIG'], '(in-cluster)', 'Path of a kubeconfig file.'),
  flag('shutdown-grace-period', [], '25s', 'On SIGTERM, wait this long for in-flight reconciles.'),
  flag(
    'full-discovery-interval',
    [],
    '24h',
    'Re-read every AWS resource of a group at least this often (1m or more); in between, an unchanged group is checked with 1 + listeners reads.',
  ),
  flag(
    'certificate-discovery-ttl',
    [],
    '1m',
    'Keep the ACM certificate list of certificate discovery this long (1s or more).',
  ),
  flag(
    'webhook-port',
    [],
    '9443',
    'HTTPS port of the pod readiness-gate webhook; 0 turns the webhook and readiness gates off.',
  ),
  flag(
    'webhook-cert-dir',
    [],
    '(self-managed)',
    'Serve tls.crt and tls.key from this directory (cert-manager), reloading on change.',
  ),
  flag(
    'webhook-configuration-name',
    [],
    'albatross-webhook',
    'MutatingWebhookConfiguration whose caBundle is kept current (self-managed certificate).',
  ),
  flag('webhook-service-name', [], 'albatross-webhook', 'Service in front of the webhook.'),
  flag(
    'webhook-service-namespace',
    ['POD_NAMESPACE'],
    '(the pod namespace)',
    'Namespace of the webhook Service and Secret.',
  ),
  flag(
    'webhook-secret-name',
    [],
    'albatross-webhook-tls',
    'Secret holding the self-managed CA, certificate and key, shared by every replica.',
  ),
  flag(
    'digest-key-secret-name',
    [],
    'albatross-digest-key',
    'Secret holding the key of the OIDC client-secret digest tags; created once if missing.',
  ),
  flag(
    'digest-key-secret-namespace',
    ['POD_NAMESPACE'],
    '(the pod namespace)',
    'Namespace of that Secret.',
  ),
  flag(
    'webhook-extra-sans',
    [],
    '(none)',
    'Further names of the self-managed certificate: comma-separated DNS names or IP addresses.',
  ),
];

export const CONTROLLER_HELP = [
  'Usage: albatross controller --cluster-name NAME --aws-region REGION [flags]',
  '',
  'Runs the controller: watches Ingresses and keeps their Application Load Balancers in',
  'sync. Every flag may also be given by the environment variable named after it.',
  '',
  'Flags:',
  ...flagHelp(flags, true),
  '  -h, --help  Print this help.',
  '',
].join('\n');

/** Parses and validates `argv` against `env`; reads nothing else. */
export function parseControllerConfig(
  argv: readonly string[],
  env: Env,
  /** The service account's namespace, when running in a pod (the webhook's default). */
  podNamespace?: string,
): ArgsResult<ControllerConfig> {
  let values: FlagValues;
  const args = normaliseBooleans(argv, flags);
  if (args instanceof UsageError) return usage(args.message);
  try {
    const options: ParseArgsOptionsConfig = { help: { type: 'boolean', short: 'h' } };
    for (const f of flags) options[f.name] = { type: f.type };
    const parsed = parseArgs({
      args,
      options,
      strict: true,
      allowPositionals: false,
      allowNegative: true,
    });
    values = parsed.values as FlagValues;
  } catch (err) {
    return usage(parseArgsMessage(err));
  }
  if (values.help === true) return { kind: 'help' };
  try {
    return { kind: 'ok', options: deepFreeze(build(new Reader(values, env, flags), podNamespace)) };
  } catch (err) {
    if (err instanceof UsageError) return usage(err.message);
    throw err;
  }
}

/** The process's arguments and environment, parsed once. */
export function loadControllerConfig(argv: readonly string[]): ArgsResult<ControllerConfig> {
  return parseControllerConfig(argv, process.env, serviceAccountNamespace());
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function serviceAccountNamespace(): string | undefined {
  try {
    const ns = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    return ns === '' ? undefined : ns;
  } catch {
    return undefined;
  }
}

function build(r: Reader, podNamespace?: string): ControllerConfig {
  const translate: TranslateConfig = readTranslateConfig(r, { required: true });
  const region = r.required('aws-region', (v) =>
    /^[a-z]{2}(-[a-z]+)+-\d+$/.test(v) ? v : fail('an AWS region such as us-east-1'),
  );
  const vpcId = r.optional('aws-vpc-id', (v) =>
    /^vpc-[0-9a-f]{8,17}$/.test(v) ? v : fail('a VPC id such as vpc-0abc12345def67890'),
  );
  const endpoint = r.optional('aws-endpoint', (v) => (isHttpUrl(v) ? v : fail('an http(s) URL')));
  const rateLimits = r.value('aws-api-rate-limits', defaultRateLimits, (v) => {
    const parsed = parseRateLimits(v);
    return 'problem' in parsed ? fail(parsed.problem) : parsed;
  });
  const watchNamespace = r.optional('watch-namespace', (v) =>
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? v : fail('a namespace name'),
  );
  const workers = r.value('workers', 3, (v) => {
    const n = Number(v);
    return /^\d+$/.test(v) && n >= 1 && n <= 64 ? n : fail('an integer from 1 to 64');
  });
  const syncPeriodMs = r.value('sync-period', 36_000_000, (v) => durationAtLeast(v, 10_000, '10s'));
  const leaseDurationMs = r.value('leader-election-lease-duration', 15_000, (v) =>
    durationAtLeast(v, 1000, '1s'),
  );
  const renewDeadlineMs = r.value('leader-election-renew-deadline', 10_000, (v) =>
    durationAtLeast(v, 500, '500ms'),
  );
  const retryPeriodMs = r.value('leader-election-retry-period', 2000, (v) =>
    durationAtLeast(v, 100, '100ms'),
  );
  if (renewDeadlineMs >= leaseDurationMs) {
    throw new UsageError(
      `--leader-election-renew-deadline must be shorter than --leader-election-lease-duration (${formatDuration(leaseDurationMs)}), not '${formatDuration(renewDeadlineMs)}'`,
    );
  }
  if (retryPeriodMs * 1.2 >= renewDeadlineMs) {
    throw new UsageError(
      `--leader-election-retry-period must be under a fifth less than --leader-election-renew-deadline (${formatDuration(renewDeadlineMs)}), not '${formatDuration(retryPeriodMs)}'`,
    );
  }
  const leaderElection: LeaderElectionConfig = {
    enabled: r.boolean('leader-election', true),
    namespace: r.value('leader-election-namespace', 'kube-system', (v) =>
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? v : fail('a namespace name'),
    ),
    name: r.value('leader-election-name', 'albatross-leader', (v) =>
      isDnsSubdomain(v) ? v : fail('a lower-case DNS subdomain name'),
    ),
    leaseDurationMs,
    renewDeadlineMs,
    retryPeriodMs,
  };
  const metricsAddr = r.value('metrics-addr', { host: '', port: 8080 }, parseAddress);
  const healthAddr = r.value('health-addr', { host: '', port: 8081 }, parseAddress);
  const logLevel = r.value<LogLevel>('log-level', 'info', (v) =>
    (logLevels as readonly string[]).includes(v) ? (v as LogLevel) : fail(logLevels.join(', ')),
  );
  const kubeconfig = r.optional('kubeconfig', (v) => v);
  const shutdownGracePeriodMs = r.value('shutdown-grace-period', 25_000, (v) =>
    durationAtLeast(v, 0, '0s'),
  );
  const fullDiscoveryIntervalMs = r.value('full-discovery-interval', 86_400_000, (v) =>
    durationAtLeast(v, 60_000, '1m'),
  );
  const certificateDiscoveryTtlMs = r.value('certificate-discovery-ttl', 60_000, (v) =>
    durationAtLeast(v, 1000, '1s'),
  );
  const nodePortRange = readNodePortRange(r);
  const webhook = buildWebhook(r, podNamespace);
  const digestKeySecret = {
    namespace:
      r.optional('digest-key-secret-namespace', (v) =>
        /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? v : fail('a namespace name'),
      ) ??
      podNamespace ??
      'kube-system',
    name: r.value('digest-key-secret-name', 'albatross-digest-key', (v) =>
      isDnsSubdomain(v) ? v : fail('a lower-case DNS subdomain name'),
    ),
  };
  return {
    translate,
    aws: {
      region,
      ...(vpcId !== undefined ? { vpcId } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
      rateLimits,
    },
    ...(kubeconfig !== undefined ? { kubeconfig } : {}),
    ...(watchNamespace !== undefined ? { watchNamespace } : {}),
    workers,
    syncPeriodMs,
    fullDiscoveryIntervalMs,
    certificateDiscoveryTtlMs,
    nodePortRange,
    leaderElection,
    metricsAddr,
    healthAddr,
    logLevel,
    shutdownGracePeriodMs,
    ...(webhook !== undefined ? { webhook } : {}),
    digestKeySecret,
  };
}

function buildWebhook(r: Reader, podNamespace: string | undefined): WebhookConfig | undefined {
  const port = r.value('webhook-port', 9443, (v) => {
    const n = Number(v);
    return /^\d{1,5}$/.test(v) && n <= 65535 ? n : fail('a port from 1 to 65535, or 0 for off');
  });
  if (port === 0) return undefined;
  const certDir = r.optional('webhook-cert-dir', (v) => v);
  const objectName = (v: string): string =>
    isDnsSubdomain(v) ? v : fail('a lower-case DNS subdomain name');
  const serviceName = r.value('webhook-service-name', 'albatross-webhook', (v) =>
    /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? v : fail('a Service name (DNS label)'),
  );
  const serviceNamespace =
    r.optional('webhook-service-namespace', (v) =>
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? v : fail('a namespace name'),
    ) ??
    podNamespace ??
    'kube-system';
  const extraSans = r.value('webhook-extra-sans', [] as readonly string[], (v) => {
    const sans = v.split(',').map((s) => s.trim());
    return sans.every((s) => isIP(s) !== 0 || isDnsSubdomain(s.replace(/^\*\./, '')))
      ? sans
      : fail('comma-separated DNS names or IP addresses such as 127.0.0.1,webhook.local');
  });
  return {
    port,
    ...(certDir !== undefined ? { certDir } : {}),
    configurationName: r.value('webhook-configuration-name', 'albatross-webhook', objectName),
    serviceName,
    serviceNamespace,
    secretName: r.value('webhook-secret-name', 'albatross-webhook-tls', objectName),
    extraSans,
  };
}

function durationAtLeast(v: string, minimumMs: number, minimumText: string): number {
  const ms = parseDuration(v);
  return ms !== undefined && ms >= minimumMs
    ? ms
    : fail(`a duration of ${minimumText} or more, such as 30s, 5m or 1h`);
}

function parseAddress(v: string): ListenAddress {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):(\d{1,5})$/.exec(v);
  const port = Number(match?.[2]);
  if (match === null || port > 65535) {
    return fail('host:port with a port from 0 to 65535, such as :8080 or 127.0.0.1:0');
  }
  const host = (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host, port };
}

function isHttpUrl(v: string): boolean {
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseArgsMessage(err: unknown): string {
  const code =
    typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : 'unknown';
  const message = err instanceof Error ? err.message : String(err);
  // Node quotes the offending argument: "Unknown option '--x'", "Option '--w <value>' ..."
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  const option = quoted.split(/[= ]/)[0] ?? quoted;
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag '${option}' (see albatross controller --help)`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}': this command takes flags only (see albatross controller --help)`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument')
        ? `${option} takes no value; to turn it off use --no-${option.replace(/^--/, '')} or ${option}=false`
        : `${option} needs a value (see albatross controller --help)`;
    default:
      return message.split('\n')[0] ?? message;
  }
}

function usage(message: string): ArgsResult<ControllerConfig> {
  return { kind: 'usage-error', message: `albatross controller: ${message}` };
}
