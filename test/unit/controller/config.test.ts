import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import {
  CONTROLLER_HELP,
  parseControllerConfig,
  type ControllerConfig,
} from '../../../controller/config.ts';
import { formatDuration, parseDuration } from '../../../controller/duration.ts';
import { defaultRateLimits } from '../../../pkg/aws/index.ts';

const required: Readonly<Record<string, string>> = {
  ALBATROSS_CLUSTER_NAME: 'prod',
  AWS_REGION: 'eu-west-1',
};

function ok(argv: readonly string[], env = required): ControllerConfig {
  const result = parseControllerConfig(argv, env);
  if (result.kind !== 'ok') {
    assert.fail(result.kind === 'usage-error' ? result.message : 'help');
  }
  return result.options;
}

function usage(argv: readonly string[], env = required): string {
  const result = parseControllerConfig(argv, env);
  if (result.kind !== 'usage-error') assert.fail(`expected a usage error, got ${result.kind}`);
  assert.doesNotMatch(result.message, /\n/, 'a usage error is one line');
  assert.match(result.message, /^albatross controller: /);
  return result.message.replace(/^albatross controller: /, '');
}

describe('controller config: defaults and sources', () => {
  it('GIVEN only the required values THEN every other setting has its documented default', () => {
    assert.deepEqual(ok([]), {
      translate: {
        clusterName: 'prod',
        controllerName: 'albatross.dev/alb',
        ingressClass: 'alb',
        defaultScheme: 'internal',
        defaultTargetType: 'instance',
        defaultTags: {},
        defaultSslPolicy: 'ELBSecurityPolicy-2016-08',
        ruleOrder: 'specification',
        addons: { wafv2: true, waf: true, shield: true },
      },
      aws: { region: 'eu-west-1', rateLimits: defaultRateLimits },
      workers: 3,
      syncPeriodMs: 10 * 3600 * 1000,
      leaderElection: {
        enabled: true,
        namespace: 'kube-system',
        name: 'albatross-leader',
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2000,
      },
      metricsAddr: { host: '', port: 8080 },
      healthAddr: { host: '', port: 8081 },
      logLevel: 'info',
      shutdownGracePeriodMs: 25_000,
      fullDiscoveryIntervalMs: 86_400_000,
      certificateDiscoveryTtlMs: 60_000,
      nodePortRange: { from: 30000, to: 32767 },
      webhook: {
        port: 9443,
        configurationName: 'albatross-webhook',
        serviceName: 'albatross-webhook',
        serviceNamespace: 'kube-system',
        secretName: 'albatross-webhook-tls',
        extraSans: [],
      },
      digestKeySecret: { namespace: 'kube-system', name: 'albatross-digest-key' },
    });
  });

  it('GIVEN the pod namespace THEN the digest key Secret is kept there unless a flag says where', () => {
    const parsed = parseControllerConfig(
      ['--cluster-name', 'c', '--aws-region', 'eu-west-1'],
      {},
      'albatross-system',
    );
    assert.equal(parsed.kind, 'ok');
    assert.deepEqual(parsed.options.digestKeySecret, {
      namespace: 'albatross-system',
      name: 'albatross-digest-key',
    });
    const named = parseControllerConfig(
      ['--cluster-name', 'c', '--aws-region', 'eu-west-1', '--digest-key-secret-name', 'Bad_Name'],
      {},
    );
    assert.equal(named.kind, 'usage-error');
  });

  it('GIVEN a config THEN it is frozen all the way down', () => {
    const config = ok(['--default-tags', 'team=web']);
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.translate.defaultTags));
    assert.ok(Object.isFrozen(config.leaderElection));
  });

  it('GIVEN a flag and its variable THEN the flag wins; the ALBATROSS_ variable wins over the conventional one', () => {
    const env = {
      ...required,
      ALBATROSS_WORKERS: '5',
      ALBATROSS_AWS_REGION: 'us-west-2',
      KUBECONFIG: '/k/config',
      ALBATROSS_KUBECONFIG: '/a/config',
    };
    const config = ok(['--workers', '7'], env);
    assert.equal(config.workers, 7);
    assert.equal(config.aws.region, 'us-west-2');
    assert.equal(config.kubeconfig, '/a/config');
    assert.equal(ok([], env).workers, 5);
  });

  it('GIVEN the conventional variables THEN they are used', () => {
    const config = ok([], {
      ALBATROSS_CLUSTER_NAME: 'c',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
      ALBATROSS_VPC_ID: 'vpc-0123456789abcdef0',
      KUBECONFIG: '/home/me/.kube/config',
      POD_NAMESPACE: 'albatross-system',
    });
    assert.deepEqual(config.aws, {
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:5000',
      vpcId: 'vpc-0123456789abcdef0',
      rateLimits: defaultRateLimits,
    });
    assert.equal(config.kubeconfig, '/home/me/.kube/config');
    assert.equal(config.leaderElection.namespace, 'albatross-system');
    assert.equal(config.webhook?.serviceNamespace, 'albatross-system');
  });

  it('GIVEN a service account namespace and no variable THEN the webhook lives in it', () => {
    const result = parseControllerConfig([], required, 'from-the-pod');
    assert.equal(
      result.kind === 'ok' ? result.options.webhook?.serviceNamespace : '',
      'from-the-pod',
    );
  });

  it('GIVEN an empty variable THEN it counts as unset', () => {
    assert.equal(ok([], { ...required, ALBATROSS_WORKERS: '' }).workers, 3);
  });
});

/** [flag, good value, what it becomes] */
const good: readonly (readonly [string, string, (c: ControllerConfig) => unknown, unknown])[] = [
  ['--cluster-name', 'eks-prod_1.a', (c) => c.translate.clusterName, 'eks-prod_1.a'],
  ['--aws-region', 'ap-southeast-2', (c) => c.aws.region, 'ap-southeast-2'],
  ['--aws-region', 'us-gov-west-1', (c) => c.aws.region, 'us-gov-west-1'],
  ['--aws-vpc-id', 'vpc-1a2b3c4d', (c) => c.aws.vpcId, 'vpc-1a2b3c4d'],
  ['--aws-endpoint', 'https://elb.internal:443', (c) => c.aws.endpoint, 'https://elb.internal:443'],
  ['--controller-name', 'example.com/alb', (c) => c.translate.controllerName, 'example.com/alb'],
  ['--ingress-class', 'alb-internal', (c) => c.translate.ingressClass, 'alb-internal'],
  ['--watch-namespace', 'shop', (c) => c.watchNamespace, 'shop'],
  ['--workers', '64', (c) => c.workers, 64],
  ['--sync-period', '1h30m', (c) => c.syncPeriodMs, 5_400_000],
  ['--sync-period', '30s', (c) => c.syncPeriodMs, 30_000],
  ['--default-scheme', 'internet-facing', (c) => c.translate.defaultScheme, 'internet-facing'],
  ['--default-target-type', 'ip', (c) => c.translate.defaultTargetType, 'ip'],
  [
    '--default-tags',
    'team=web, env=prod,empty=',
    (c) => c.translate.defaultTags,
    { team: 'web', env: 'prod', empty: '' },
  ],
  [
    '--default-ssl-policy',
    'ELBSecurityPolicy-TLS13-1-2-2021-06',
    (c) => c.translate.defaultSslPolicy,
    'ELBSecurityPolicy-TLS13-1-2-2021-06',
  ],
  ['--rule-order', 'reference', (c) => c.translate.ruleOrder, 'reference'],
  ['--leader-election-namespace', 'ops', (c) => c.leaderElection.namespace, 'ops'],
  ['--leader-election-name', 'alb.lock', (c) => c.leaderElection.name, 'alb.lock'],
  ['--leader-election-lease-duration', '30s', (c) => c.leaderElection.leaseDurationMs, 30_000],
  ['--leader-election-renew-deadline', '5s', (c) => c.leaderElection.renewDeadlineMs, 5000],
  ['--leader-election-retry-period', '500ms', (c) => c.leaderElection.retryPeriodMs, 500],
  ['--metrics-addr', '127.0.0.1:0', (c) => c.metricsAddr, { host: '127.0.0.1', port: 0 }],
  ['--metrics-addr', '[::1]:9090', (c) => c.metricsAddr, { host: '::1', port: 9090 }],
  ['--health-addr', 'localhost:8081', (c) => c.healthAddr, { host: 'localhost', port: 8081 }],
  ['--log-level', 'debug', (c) => c.logLevel, 'debug'],
  ['--kubeconfig', '/etc/kube/config', (c) => c.kubeconfig, '/etc/kube/config'],
  ['--shutdown-grace-period', '0', (c) => c.shutdownGracePeriodMs, 0],
  ['--full-discovery-interval', '1h', (c) => c.fullDiscoveryIntervalMs, 3_600_000],
  ['--node-port-range', '20000-22767', (c) => c.nodePortRange, { from: 20000, to: 22767 }],
  ['--webhook-port', '0', (c) => c.webhook, undefined],
  ['--webhook-port', '10250', (c) => c.webhook?.port, 10250],
  ['--webhook-cert-dir', '/tmp/k8s-webhook', (c) => c.webhook?.certDir, '/tmp/k8s-webhook'],
  ['--webhook-configuration-name', 'alb-wh', (c) => c.webhook?.configurationName, 'alb-wh'],
  ['--webhook-service-name', 'alb-wh-svc', (c) => c.webhook?.serviceName, 'alb-wh-svc'],
  ['--webhook-service-namespace', 'ops', (c) => c.webhook?.serviceNamespace, 'ops'],
  ['--webhook-secret-name', 'wh.tls', (c) => c.webhook?.secretName, 'wh.tls'],
  [
    '--webhook-extra-sans',
    '127.0.0.1, ::1,webhook.local',
    (c) => c.webhook?.extraSans,
    ['127.0.0.1', '::1', 'webhook.local'],
  ],
];

describe('controller config: good values', () => {
  for (const [flag, value, pick, expected] of good) {
    it(`GIVEN ${flag} ${value} THEN it is accepted`, () => {
      assert.deepEqual(pick(ok([flag, value])), expected);
      assert.deepEqual(pick(ok([`${flag}=${value}`])), expected);
    });
  }

  it('GIVEN the leader election switch in each spelling THEN it is read as written', () => {
    assert.equal(ok(['--leader-election']).leaderElection.enabled, true);
    assert.equal(ok(['--leader-election=false']).leaderElection.enabled, false);
    assert.equal(ok(['--no-leader-election']).leaderElection.enabled, false);
    assert.equal(ok(['--leader-election=true']).leaderElection.enabled, true);
    const env = { ...required, ALBATROSS_LEADER_ELECTION: 'false' };
    assert.equal(ok([], env).leaderElection.enabled, false);
    assert.equal(ok(['--leader-election'], env).leaderElection.enabled, true);
  });
});

/** [argv, env overrides, the exact one-line message] */
const bad: readonly (readonly [readonly string[], Record<string, string>, string])[] = [
  [
    [],
    { ALBATROSS_CLUSTER_NAME: '' },
    '--cluster-name is required (or set ALBATROSS_CLUSTER_NAME)',
  ],
  [
    ['--cluster-name', 'has space'],
    {},
    "--cluster-name must be 1 to 63 letters, digits, '-', '_' or '.', not 'has space'",
  ],
  [
    [],
    { AWS_REGION: '' },
    '--aws-region is required (or set ALBATROSS_AWS_REGION or AWS_REGION or AWS_DEFAULT_REGION)',
  ],
  [
    [],
    { AWS_REGION: 'Europe' },
    "AWS_REGION (--aws-region) must be an AWS region such as us-east-1, not 'Europe'",
  ],
  [
    ['--aws-vpc-id', 'vpc-xyz'],
    {},
    "--aws-vpc-id must be a VPC id such as vpc-0abc12345def67890, not 'vpc-xyz'",
  ],
  [
    ['--aws-endpoint', 'localhost:4566'],
    {},
    "--aws-endpoint must be an http(s) URL, not 'localhost:4566'",
  ],
  [
    ['--controller-name', 'alb'],
    {},
    "--controller-name must be a domain-prefixed path such as example.com/alb, not 'alb'",
  ],
  [
    ['--ingress-class', 'ALB'],
    {},
    "--ingress-class must be a lower-case DNS subdomain name such as alb, not 'ALB'",
  ],
  [['--watch-namespace', 'Shop'], {}, "--watch-namespace must be a namespace name, not 'Shop'"],
  [['--workers', '0'], {}, "--workers must be an integer from 1 to 64, not '0'"],
  [['--workers', '2.5'], {}, "--workers must be an integer from 1 to 64, not '2.5'"],
  [
    [],
    { ALBATROSS_WORKERS: 'many' },
    "ALBATROSS_WORKERS (--workers) must be an integer from 1 to 64, not 'many'",
  ],
  [
    ['--sync-period', '10'],
    {},
    "--sync-period must be a duration of 10s or more, such as 30s, 5m or 1h, not '10'",
  ],
  [
    ['--sync-period', '5s'],
    {},
    "--sync-period must be a duration of 10s or more, such as 30s, 5m or 1h, not '5s'",
  ],
  [
    ['--full-discovery-interval', '30s'],
    {},
    "--full-discovery-interval must be a duration of 1m or more, such as 30s, 5m or 1h, not '30s'",
  ],
  [
    ['--default-scheme', 'public'],
    {},
    "--default-scheme must be internal or internet-facing, not 'public'",
  ],
  [['--default-target-type', 'pod'], {}, "--default-target-type must be instance or ip, not 'pod'"],
  [
    ['--default-tags', 'albatross.dev/cluster=other'],
    {},
    "--default-tags must be tags whose keys do not start with albatross.dev/ (the ownership tags), not 'albatross.dev/cluster=other'",
  ],
  [
    ['--default-tags', 'team'],
    {},
    "--default-tags must be comma-separated key=value pairs such as team=web,env=prod, not 'team'",
  ],
  [
    ['--default-tags', 'aws:cloudformation:stack-name=x'],
    {},
    "--default-tags must be tags whose keys do not start with aws:, not 'aws:cloudformation:stack-name=x'",
  ],
  [
    ['--default-tags', 'a=1,a=2'],
    {},
    "--default-tags must be key=value pairs with distinct keys ('a' repeats), not 'a=1,a=2'",
  ],
  [['--rule-order', 'alpha'], {}, "--rule-order must be specification or reference, not 'alpha'"],
  [
    ['--node-port-range', '32767-30000'],
    {},
    "--node-port-range must be a port range FROM-TO, 1 ≤ FROM ≤ TO ≤ 65535, not '32767-30000'",
  ],
  [['--leader-election=maybe'], {}, "--leader-election must be true or false, not 'maybe'"],
  [
    [],
    { ALBATROSS_LEADER_ELECTION: 'on' },
    "ALBATROSS_LEADER_ELECTION (--leader-election) must be true or false, not 'on'",
  ],
  [
    ['--leader-election-renew-deadline', '20s'],
    {},
    "--leader-election-renew-deadline must be shorter than --leader-election-lease-duration (15s), not '20s'",
  ],
  [
    ['--leader-election-retry-period', '9s'],
    {},
    "--leader-election-retry-period must be under a fifth less than --leader-election-renew-deadline (10s), not '9s'",
  ],
  [
    ['--metrics-addr', '8080'],
    {},
    "--metrics-addr must be host:port with a port from 0 to 65535, such as :8080 or 127.0.0.1:0, not '8080'",
  ],
  [
    ['--health-addr', ':70000'],
    {},
    "--health-addr must be host:port with a port from 0 to 65535, such as :8080 or 127.0.0.1:0, not ':70000'",
  ],
  [['--log-level', 'trace'], {}, "--log-level must be debug, info, warn, error, not 'trace'"],
  [
    ['--webhook-port', '70000'],
    {},
    "--webhook-port must be a port from 1 to 65535, or 0 for off, not '70000'",
  ],
  [
    ['--webhook-service-name', 'Web_hook'],
    {},
    "--webhook-service-name must be a Service name (DNS label), not 'Web_hook'",
  ],
  [
    ['--webhook-extra-sans', '127.0.0.1,bad name'],
    {},
    "--webhook-extra-sans must be comma-separated DNS names or IP addresses such as 127.0.0.1,webhook.local, not '127.0.0.1,bad name'",
  ],
  [['--bogus'], {}, "unknown flag '--bogus' (see albatross controller --help)"],
  [['--workers'], {}, '--workers needs a value (see albatross controller --help)'],
  [
    ['extra'],
    {},
    "unexpected argument 'extra': this command takes flags only (see albatross controller --help)",
  ],
];

describe('controller config: bad values are one line naming the flag, the value and what is allowed', () => {
  for (const [argv, env, message] of bad) {
    it(`GIVEN ${[...argv, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].join(' ')} THEN: ${message}`, () => {
      assert.equal(usage(argv, { ...required, ...env }), message);
    });
  }

  it('GIVEN --help THEN help is asked for, listing every flag with its variable and default', () => {
    assert.deepEqual(parseControllerConfig(['--help'], {}), { kind: 'help' });
    for (const line of [
      '--cluster-name VALUE  [ALBATROSS_CLUSTER_NAME]  default: (required)',
      '--workers VALUE  [ALBATROSS_WORKERS]  default: 3',
      '--sync-period VALUE  [ALBATROSS_SYNC_PERIOD]  default: 10h',
      '--aws-endpoint VALUE  [ALBATROSS_AWS_ENDPOINT, AWS_ENDPOINT_URL]  default: (SDK default)',
      '--leader-election  [ALBATROSS_LEADER_ELECTION]  default: true',
      '--metrics-addr VALUE  [ALBATROSS_METRICS_ADDR]  default: :8080',
    ]) {
      assert.ok(CONTROLLER_HELP.includes(line), line);
    }
  });
});

describe('Go-style durations', () => {
  const table: readonly (readonly [string, number | undefined])[] = [
    ['0', 0],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2h45m30.5s', 9_930_500],
    ['', undefined],
    ['10', undefined],
    ['-5s', undefined],
    ['5 s', undefined],
    ['1d', undefined],
  ];
  for (const [text, ms] of table) {
    it(`GIVEN '${text}' THEN ${String(ms)}`, () => {
      assert.equal(parseDuration(text), ms);
    });
  }
  it('GIVEN milliseconds THEN they print in the shortest Go form', () => {
    assert.deepEqual([36_000_000, 5_400_000, 15_000, 500, 0].map(formatDuration), [
      '10h',
      '1h30m',
      '15s',
      '500ms',
      '0s',
    ]);
  });
});

describe('albatross controller as a user runs it', () => {
  it('GIVEN a bad flag THEN it prints one line on stderr and exits 2 before touching anything', () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const run = spawnSync(
      'scripts/node',
      [
        'controller/main.ts',
        'controller',
        '--cluster-name',
        'c',
        '--aws-region',
        'us-east-1',
        '--workers',
        'lots',
      ],
      // No KUBECONFIG and no AWS endpoint: a run that got further would fail differently.
      {
        cwd: root,
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
    );
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      "albatross controller: --workers must be an integer from 1 to 64, not 'lots'\n",
    );
  });
});
