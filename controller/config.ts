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
import { DEFAULT_NODE_PORT_RANGE, type NodePortRange } from '../pkg/plan/index.ts';
import { defaultTranslateConfig, type TranslateConfig } from '../pkg/translate/env.ts';
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

type Env = Readonly<Record<string, string | undefined>>;

interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  /** Variables consulted in order after the flag. */
  readonly env: readonly string[];
  readonly default: string;
  readonly help: string;
}

const flags: readonly FlagSpec[] = [
  flag(
    'cluster-name',
    [],
    '(required)',
    'Name of the Kubernetes cluster; part of every ownership tag and name.',
  ),
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
    'controller-name',
    [],
    defaultTranslateConfig.controllerName,
    'spec.controller of the IngressClasses this controller serves.',
  ),
  flag(
    'ingress-class',
    [],
    defaultTranslateConfig.ingressClass,
    'IngressClass name served (also matched by the legacy annotation).',
  ),
  flag('watch-namespace', [], '(all)', 'Watch Ingresses in this namespace only.'),
  flag('workers', [], '3', 'Ingress groups reconciled concurrently (1 to 64).'),
  flag(
    'sync-period',
    [],
    '10h',
    'Reconcile every group at least this often (Go duration, 10s or more).',
  ),
  flag(
    'default-scheme',
    [],
    defaultTranslateConfig.defaultScheme,
    'Scheme when an Ingress sets none: internal or internet-facing.',
  ),
  flag(
    'default-target-type',
    [],
    defaultTranslateConfig.defaultTargetType,
    'Target type when an Ingress sets none: instance or ip.',
  ),
  flag(
    'default-tags',
    [],
    '(none)',
    'Tags on every AWS resource: k=v,k2=v2 (not albatross.dev/ keys).',
  ),
  flag(
    'external-managed-tags',
    [],
    '(none)',
    'Tag keys managed outside the controller: never added, changed or removed (k1,k2).',
  ),
  flag(
    'default-ssl-policy',
    [],
    defaultTranslateConfig.defaultSslPolicy,
    'SSL policy of HTTPS listeners when an Ingress sets none.',
  ),
  flag(
    'node-port-range',
    [],
    `${String(DEFAULT_NODE_PORT_RANGE.from)}-${String(DEFAULT_NODE_PORT_RANGE.to)}`,
    'NodePort range of the cluster: one backend rule per node security group admits it.',
  ),
  flag(
    'rule-order',
    [],
    defaultTranslateConfig.ruleOrder,
    'Listener rule order: specification or reference.',
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
    'allowed-certificate-authority-arns',
    [],
    '(any issuer)',
    'Certificate discovery attaches only certificates issued by these private CAs (comma-separated ARNs).',
  ),
  {
    ...flag('enable-wafv2', [], 'true', 'Manage WAFv2 web ACLs (wafv2-acl-arn, wafv2-acl-name).'),
    type: 'boolean',
  },
  {
    ...flag('enable-waf', [], 'true', 'Manage classic WAF Regional web ACLs (waf-acl-id).'),
    type: 'boolean',
  },
  {
    ...flag(
      'enable-shield',
      [],
      'true',
      'Manage Shield Advanced protection (shield-advanced-protection).',
    ),
    type: 'boolean',
  },
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

function flag(name: string, extraEnv: readonly string[], def: string, help: string): FlagSpec {
  return { name, type: 'string', env: [envName(name), ...extraEnv], default: def, help };
}

function envName(flagName: string): string {
  return `ALBATROSS_${flagName.toUpperCase().replaceAll('-', '_')}`;
}

export const CONTROLLER_HELP = [
  'Usage: albatross controller --cluster-name NAME --aws-region REGION [flags]',
  '',
  'Runs the controller: watches Ingresses and keeps their Application Load Balancers in',
  'sync. Every flag may also be given by the environment variable named after it.',
  '',
  'Flags:',
  ...flags.flatMap((f) => [
    `  --${f.name}${f.type === 'string' ? ' VALUE' : ''}  [${f.env.join(', ')}]  default: ${f.default}`,
    `      ${f.help}`,
  ]),
  '  -h, --help  Print this help.',
  '',
].join('\n');

/** A bad setting, caught in `parseControllerConfig` and returned as a usage error. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses and validates `argv` against `env`; reads nothing else. */
export function parseControllerConfig(
  argv: readonly string[],
  env: Env,
  /** The service account's namespace, when running in a pod (the webhook's default). */
  podNamespace?: string,
): ArgsResult<ControllerConfig> {
  let values: Record<string, string | boolean | undefined>;
  const args = normaliseBooleans(argv);
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
    values = parsed.values as Record<string, string | boolean | undefined>;
  } catch (err) {
    return usage(parseArgsMessage(err));
  }
  if (values.help === true) return { kind: 'help' };
  try {
    return { kind: 'ok', options: deepFreeze(build(new Reader(values, env), podNamespace)) };
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
  const clusterName = r.required('cluster-name', (v) =>
    /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/.test(v)
      ? v
      : fail("1 to 63 letters, digits, '-', '_' or '.'"),
  );
  const region = r.required('aws-region', (v) =>
    /^[a-z]{2}(-[a-z]+)+-\d+$/.test(v) ? v : fail('an AWS region such as us-east-1'),
  );
  const vpcId = r.optional('aws-vpc-id', (v) =>
    /^vpc-[0-9a-f]{8,17}$/.test(v) ? v : fail('a VPC id such as vpc-0abc12345def67890'),
  );
  const endpoint = r.optional('aws-endpoint', (v) => (isHttpUrl(v) ? v : fail('an http(s) URL')));
  const controllerName = r.value('controller-name', defaultTranslateConfig.controllerName, (v) =>
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/.test(v) &&
    v.length <= 250
      ? v
      : fail('a domain-prefixed path such as example.com/alb'),
  );
  const ingressClass = r.value('ingress-class', defaultTranslateConfig.ingressClass, (v) =>
    isDnsSubdomain(v) ? v : fail('a lower-case DNS subdomain name such as alb'),
  );
  const watchNamespace = r.optional('watch-namespace', (v) =>
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(v) ? v : fail('a namespace name'),
  );
  const workers = r.value('workers', 3, (v) => {
    const n = Number(v);
    return /^\d+$/.test(v) && n >= 1 && n <= 64 ? n : fail('an integer from 1 to 64');
  });
  const syncPeriodMs = r.value('sync-period', 36_000_000, (v) => durationAtLeast(v, 10_000, '10s'));
  const defaultScheme = r.value('default-scheme', defaultTranslateConfig.defaultScheme, (v) =>
    v === 'internal' || v === 'internet-facing' ? v : fail('internal or internet-facing'),
  );
  const defaultTargetType = r.value(
    'default-target-type',
    defaultTranslateConfig.defaultTargetType,
    (v) => (v === 'instance' || v === 'ip' ? v : fail('instance or ip')),
  );
  const defaultTags = r.value('default-tags', {}, parseTags);
  const externalManagedTags = r.optional('external-managed-tags', parseTagKeys);
  const overlap = Object.keys(defaultTags).filter((k) => externalManagedTags?.includes(k));
  if (overlap.length > 0) {
    throw new UsageError(
      `--default-tags may not set a key listed in --external-managed-tags, not '${overlap.join(',')}'`,
    );
  }
  const defaultSslPolicy = r.value(
    'default-ssl-policy',
    defaultTranslateConfig.defaultSslPolicy,
    (v) => (/^[A-Za-z0-9-]{1,128}$/.test(v) ? v : fail('an ELB security policy name')),
  );
  const ruleOrder = r.value('rule-order', defaultTranslateConfig.ruleOrder, (v) =>
    v === 'specification' || v === 'reference' ? v : fail('specification or reference'),
  );
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
  const allowedCertificateAuthorityArns = r.value<readonly string[]>(
    'allowed-certificate-authority-arns',
    [],
    (v) => {
      const arns = v
        .split(',')
        .map((a) => a.trim())
        .filter((a) => a !== '');
      return arns.length > 0 &&
        arns.every((a) =>
          /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[\w-]+$/.test(a),
        )
        ? arns
        : fail(
            'comma-separated AWS Private CA ARNs such as arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0123abcd-…',
          );
    },
  );
  const addons = {
    wafv2: r.boolean('enable-wafv2', true),
    waf: r.boolean('enable-waf', true),
    shield: r.boolean('enable-shield', true),
  };
  const nodePortRange = r.value('node-port-range', DEFAULT_NODE_PORT_RANGE, (v) => {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(v);
    const from = Number(m?.[1]);
    const to = Number(m?.[2]);
    return m !== null && from >= 1 && from <= to && to <= 65535
      ? { from, to }
      : fail('a port range FROM-TO, 1 ≤ FROM ≤ TO ≤ 65535');
  });
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
    translate: {
      clusterName,
      controllerName,
      ingressClass,
      defaultScheme,
      defaultTargetType,
      defaultTags,
      defaultSslPolicy,
      ruleOrder,
      ...(externalManagedTags === undefined ? {} : { externalManagedTags }),
      ...(allowedCertificateAuthorityArns.length > 0 ? { allowedCertificateAuthorityArns } : {}),
      addons,
    },
    aws: {
      region,
      ...(vpcId !== undefined ? { vpcId } : {}),
      ...(endpoint !== undefined ? { endpoint } : {}),
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

/** Reads one setting from the flag or its variables, naming its source in any error. */
class Reader {
  readonly #values: Record<string, string | boolean | undefined>;
  readonly #env: Env;

  constructor(values: Record<string, string | boolean | undefined>, env: Env) {
    this.#values = values;
    this.#env = env;
  }

  value<T>(name: string, def: T, parse: (raw: string) => T): T {
    const found = this.#lookup(name);
    return found === undefined ? def : this.#parse(name, found, parse);
  }

  optional<T>(name: string, parse: (raw: string) => T): T | undefined {
    const found = this.#lookup(name);
    return found === undefined ? undefined : this.#parse(name, found, parse);
  }

  required<T>(name: string, parse: (raw: string) => T): T {
    const found = this.#lookup(name);
    if (found === undefined) {
      const spec = specOf(name);
      throw new UsageError(`--${name} is required (or set ${spec.env.join(' or ')})`);
    }
    return this.#parse(name, found, parse);
  }

  boolean(name: string, def: boolean): boolean {
    const given = this.#values[name];
    if (typeof given === 'boolean') return given;
    const found = this.#lookup(name);
    if (found === undefined) return def;
    return this.#parse(name, found, (v) => {
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      return fail('true or false');
    });
  }

  #lookup(name: string): { readonly raw: string; readonly source: string } | undefined {
    const given = this.#values[name];
    if (typeof given === 'string') return { raw: given, source: `--${name}` };
    for (const variable of specOf(name).env) {
      const raw = this.#env[variable];
      // An empty variable is how a Deployment template leaves a setting out.
      if (raw !== undefined && raw !== '') return { raw, source: `${variable} (--${name})` };
    }
    return undefined;
  }

  #parse<T>(name: string, found: { raw: string; source: string }, parse: (raw: string) => T): T {
    try {
      return parse(found.raw);
    } catch (err) {
      if (!(err instanceof Allowed)) throw err;
      throw new UsageError(`${found.source} must be ${err.allowed}, not '${found.raw}'`);
    }
  }
}

/** What a value parser allows; `Reader` turns it into the one-line message. */
class Allowed extends Error {
  override readonly name = 'Allowed';
  readonly allowed: string;
  constructor(allowed: string) {
    super(allowed);
    this.allowed = allowed;
  }
}

function fail(allowed: string): never {
  throw new Allowed(allowed);
}

function specOf(name: string): FlagSpec {
  const spec = flags.find((f) => f.name === name);
  if (spec === undefined) throw new Error(`no flag --${name}`);
  return spec;
}

function durationAtLeast(v: string, minimumMs: number, minimumText: string): number {
  const ms = parseDuration(v);
  return ms !== undefined && ms >= minimumMs
    ? ms
    : fail(`a duration of ${minimumText} or more, such as 30s, 5m or 1h`);
}

const reservedTagPrefix = 'albatross.dev/';

function parseTags(v: string): Readonly<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const pair of v.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair.trim() : pair.slice(0, eq).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (eq < 0 || key === '') fail('comma-separated key=value pairs such as team=web,env=prod');
    if (key.startsWith(reservedTagPrefix)) {
      fail(`tags whose keys do not start with ${reservedTagPrefix} (the ownership tags)`);
    }
    if (key.toLowerCase().startsWith('aws:')) fail('tags whose keys do not start with aws:');
    if (key.length > 128 || value.length > 256) {
      fail('tags with keys of at most 128 and values of at most 256 characters');
    }
    if (Object.hasOwn(tags, key)) fail(`key=value pairs with distinct keys ('${key}' repeats)`);
    tags[key] = value;
  }
  return tags;
}

function parseTagKeys(v: string): readonly string[] {
  const keys = v
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (keys.length === 0) fail('a comma-separated list of tag keys such as CostCenter,Owner');
  for (const key of keys) {
    if (key.startsWith(reservedTagPrefix)) {
      fail(`tag keys that do not start with ${reservedTagPrefix} (the ownership tags)`);
    }
    if (key.length > 128) fail('tag keys of at most 128 characters');
  }
  return [...new Set(keys)];
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

function isDnsSubdomain(v: string): boolean {
  return v.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(v);
}

function isHttpUrl(v: string): boolean {
  try {
    const url = new URL(v);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** `--flag=false` and `--flag=true` for boolean flags, as Go programs accept them. */
function normaliseBooleans(argv: readonly string[]): string[] | UsageError {
  const booleans = new Set(flags.filter((f) => f.type === 'boolean').map((f) => f.name));
  const out: string[] = [];
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)=(.*)$/.exec(arg);
    const name = match?.[1] ?? '';
    if (match === null || !booleans.has(name)) {
      out.push(arg);
      continue;
    }
    const value = (match[2] ?? '').toLowerCase();
    if (value !== 'true' && value !== 'false') {
      return new UsageError(`--${name} must be true or false, not '${match[2] ?? ''}'`);
    }
    out.push(value === 'true' ? `--${name}` : `--no-${name}`);
  }
  return out;
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
