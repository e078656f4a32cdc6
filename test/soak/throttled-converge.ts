/**
 * Converge a fleet while the emulator throttles (test/env/moto_throttle.py): the
 * controller's moving parts in-process (test/bench/bench-controller.ts: caches, work
 * queue, workers, handleResult), its AWS clients behind the client-side rate limiter
 * (`--aws-api-rate-limits`, the defaults unless told), and its /metrics built from the
 * same counters as in the real process. Used by the CI test
 * (test/integration/controller/throttled-converge.test.ts) with low rates and a small
 * fleet, and by the soak's throttle phase (test/soak/throttle.ts) with AWS's rates and
 * 100 Ingresses.
 */
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import {
  defaultRateLimits,
  isMutating,
  type AwsClients,
  type RateLimits,
} from '../../pkg/aws/index.ts';
import { ControllerMetrics } from '../../controller/metrics.ts';
import { eachLimited, startController, until } from '../bench/bench-controller.ts';
import { setThrottling, throttleState, type ThrottleState } from '../env/moto.ts';
import type { TestEnv } from '../env/testenv.ts';

export interface ThrottledConvergeOptions {
  readonly ingresses: number;
  /** Ingresses per IngressGroup (one ALB each). */
  readonly groupSize: number;
  /** What the emulator throttles (see setThrottling). */
  readonly throttle: Parameters<typeof setThrottling>[1];
  /** The controller's client-side limits. @default defaultRateLimits */
  readonly rateLimits?: RateLimits;
  /** @default 3 (the controller's default) */
  readonly workers?: number;
  readonly timeoutMs: number;
}

/** Sums of the controller's own /metrics series after the converge. */
export interface ScrapedFigures {
  readonly throttled: number;
  readonly retries: number;
  readonly rateLimitWaitSeconds: number;
  readonly attempts: number;
}

export interface ThrottledConvergeReport {
  readonly ingresses: number;
  readonly groups: number;
  /** Seconds from the first Ingress create until every Ingress had its address. */
  readonly addressesSeconds: number;
  /** Seconds until the work queue drained too. */
  readonly idleSeconds: number;
  readonly reconciles: number;
  /** Reconciles that failed (each backed off and was tried again). */
  readonly failedReconciles: number;
  /** From the controller's /metrics. */
  readonly metrics: ScrapedFigures;
  /** The most SDK attempts any one operation made per first attempt (≤ 3: no multiplication). */
  readonly worstAttemptsPerCall: number;
  /** What the emulator counted: calls and throttled answers per family. */
  readonly emulator: ThrottleState;
  /** Groups whose second reconcile (throttling off) planned changes; none when converged. */
  readonly secondPassPlanned: readonly string[];
  /** Mutating AWS calls of that second reconcile of every group. */
  readonly secondPassWrites: number;
}

function service(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: {
      type: 'NodePort',
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
    },
  };
}

function ingress(namespace: string, i: number, group: string): V1Ingress {
  return {
    metadata: {
      name: `app-${String(i)}`,
      namespace,
      annotations: { 'alb.ingress.kubernetes.io/group.name': group },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          host: `app-${String(i)}.example.com`,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: `app-${String(i)}`, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

/** Sums a metric's series in Prometheus text. */
function sumMetric(text: string, name: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

/** Attempts per first attempt, worst operation: retries are attempts 2..N of one call. */
function worstAttemptsPerCall(aws: AwsClients): number {
  const attempts = new Map<string, number>();
  for (const c of aws.calls.snapshot()) {
    const key = `${c.service}:${c.operation}`;
    attempts.set(key, (attempts.get(key) ?? 0) + c.count);
  }
  let worst = 1;
  for (const r of aws.calls.retries()) {
    const total = attempts.get(`${r.service}:${r.operation}`) ?? 0;
    const firsts = total - r.count;
    if (firsts > 0) worst = Math.max(worst, total / firsts);
  }
  return worst;
}

export async function convergeThrottled(
  env: TestEnv,
  options: ThrottledConvergeOptions,
): Promise<ThrottledConvergeReport> {
  const endpoint = env.state.awsEndpoint;
  const ns = await env.freshNamespace('throttle');
  const ctrl = await startController(env, {
    namespace: ns,
    workers: options.workers ?? 3,
    aws: { rateLimits: options.rateLimits ?? defaultRateLimits },
  });
  try {
    const count = options.ingresses;
    const groupOf = (i: number): string => `${ns}-g${String(Math.floor(i / options.groupSize))}`;
    const groups = [...new Set(Array.from({ length: count }, (_, i) => groupOf(i)))];
    const names = Array.from({ length: count }, (_, i) => i);
    await eachLimited(names, 16, (i) =>
      ctrl.core.createNamespacedService({ namespace: ns, body: service(ns, `app-${String(i)}`) }),
    );
    await until('services cached', () => ctrl.caches.serviceMap().size >= count, 30_000);
    await ctrl.waitIdle(30_000);

    await setThrottling(endpoint, options.throttle);
    ctrl.aws.calls.reset();
    const reconcilesBefore = ctrl.perReconcile.length;
    const failuresBefore = ctrl.failures.length;
    const started = performance.now();
    await eachLimited(names, 16, (i) =>
      ctrl.net.createNamespacedIngress({ namespace: ns, body: ingress(ns, i, groupOf(i)) }),
    );
    const addressed = (): number =>
      ctrl.caches
        .ingressList()
        .filter(
          (i) =>
            i.metadata?.namespace === ns &&
            i.status?.loadBalancer?.ingress?.[0]?.hostname !== undefined,
        ).length;
    try {
      await until(
        'every Ingress to have an address',
        () => addressed() >= count,
        options.timeoutMs,
      );
    } catch (err) {
      throw new Error(
        `${String(addressed())} of ${String(count)} Ingresses addressed after ${((performance.now() - started) / 1000).toFixed(0)} s; last failure: ${ctrl.failures.at(-1) ?? 'none'}`,
        { cause: err },
      );
    }
    const addressesSeconds = (performance.now() - started) / 1000;
    await ctrl.waitIdle(options.timeoutMs);
    const idleSeconds = (performance.now() - started) / 1000;

    const metrics = new ControllerMetrics({
      queueDepth: () => ctrl.queue.length,
      isLeader: () => true,
      awsCalls: ctrl.aws.calls,
      awsLimiter: ctrl.aws.limiter,
    });
    const { body } = await metrics.scrape();
    const scraped: ScrapedFigures = {
      throttled: sumMetric(body, 'albatross_aws_throttled_total'),
      retries: sumMetric(body, 'albatross_aws_retries_total'),
      rateLimitWaitSeconds: sumMetric(body, 'albatross_aws_rate_limit_wait_seconds_total'),
      attempts: sumMetric(body, 'albatross_aws_api_calls_total'),
    };
    const worst = worstAttemptsPerCall(ctrl.aws);
    const emulator = await throttleState(endpoint);
    const reconciles = ctrl.perReconcile.length - reconcilesBefore;
    const failedReconciles = ctrl.failures.length - failuresBefore;

    // The converged state is checked without throttling: a reconcile of every group
    // plans nothing and writes nothing.
    await setThrottling(endpoint, { preset: 'off' });
    ctrl.aws.calls.reset();
    const signal = new AbortController().signal;
    const secondPassPlanned: string[] = [];
    for (const group of groups) {
      const report = await ctrl.reconciler.reconcile(group, signal);
      if (report.planned > 0) secondPassPlanned.push(group);
    }
    const secondPassWrites = ctrl.aws.calls.total((c) => isMutating(c.operation));
    return {
      ingresses: count,
      groups: groups.length,
      addressesSeconds,
      idleSeconds,
      reconciles,
      failedReconciles,
      metrics: scraped,
      worstAttemptsPerCall: worst,
      emulator,
      secondPassPlanned,
      secondPassWrites,
    };
  } finally {
    await setThrottling(endpoint, { preset: 'off' });
    await ctrl.stop();
  }
}

/** The report as the soak prints it, one line per figure. */
export function formatThrottledReport(report: ThrottledConvergeReport): string {
  const families = Object.entries(report.emulator.throttled)
    .map(([family, n]) => `${family} ${String(n)}`)
    .join(', ');
  return [
    `throttled converge: ${String(report.ingresses)} Ingresses in ${String(report.groups)} groups`,
    `  every Ingress addressed after ${report.addressesSeconds.toFixed(1)} s, queue drained after ${report.idleSeconds.toFixed(1)} s`,
    `  ${String(report.reconciles)} reconciles, ${String(report.failedReconciles)} failed and backed off`,
    `  AWS attempts ${String(report.metrics.attempts)}: ${String(report.metrics.throttled)} throttled, ${String(report.metrics.retries)} SDK retries, worst ${report.worstAttemptsPerCall.toFixed(2)} attempts per call`,
    `  client-side rate limiter: ${report.metrics.rateLimitWaitSeconds.toFixed(1)} s waited in all`,
    `  emulator throttled: ${families || 'nothing'}`,
    `  second reconcile of every group: ${report.secondPassPlanned.length === 0 ? 'plans nothing' : `PLANS in ${report.secondPassPlanned.join(', ')}`}, ${String(report.secondPassWrites)} writes`,
  ].join('\n');
}
