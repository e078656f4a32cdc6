/**
 * The controller's Prometheus metrics, in a registry of their own (not the global one,
 * so tests and two managers in one process do not collide). Values that other parts
 * already keep (queue depth, AWS calls, managed ALBs, leadership) are read at scrape
 * time instead of being mirrored, so the metric cannot drift from its source.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ApiRateLimiter, CallCounter } from '../pkg/aws/index.ts';
import type { HandledResult } from './handle-result.ts';

export interface MetricSources {
  /** Keys waiting for a worker. */
  readonly queueDepth: () => number;
  /** The one AWS call counter (pkg/aws); read at scrape time. */
  readonly awsCalls?: CallCounter;
  /** The client-side rate limiter (pkg/aws); its wait times are read at scrape time. */
  readonly awsLimiter?: ApiRateLimiter;
  /** Load balancers this controller manages. */
  readonly managedLoadBalancers?: () => number;
  /** Pods that should carry a readiness gate and do not (the leader's last report). */
  readonly ungatedPods?: () => number;
  /** Duplicate AWS resources deleted since start, by kind (the reconciler keeps them). */
  readonly duplicatesRepaired?: () => ReadonlyMap<string, number>;
  readonly isLeader: () => boolean;
}

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly #reconciles: Counter<'outcome'>;
  readonly #duration: Histogram;
  readonly #errors: Counter<'reason'>;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    this.#reconciles = new Counter({
      name: 'albatross_reconcile_total',
      help: 'Reconciles of ingress groups, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.#duration = new Histogram({
      name: 'albatross_reconcile_duration_seconds',
      help: 'Time taken by one reconcile of an ingress group.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.#errors = new Counter({
      name: 'albatross_reconcile_errors_total',
      help: 'Failed reconciles, by reason.',
      labelNames: ['reason'],
      registers,
    });
    new Gauge({
      name: 'albatross_workqueue_depth',
      help: 'Ingress groups waiting for a worker.',
      registers,
      collect() {
        this.set(sources.queueDepth());
      },
    });
    const { awsCalls, managedLoadBalancers, ungatedPods } = sources;
    new Counter({
      name: 'albatross_aws_api_calls_total',
      help: 'AWS API calls (each attempt on the wire), by service, operation and outcome.',
      labelNames: ['service', 'operation', 'outcome'],
      registers,
      collect() {
        // Rebuilt from the call counter at each scrape: it is the single source.
        this.reset();
        for (const c of awsCalls?.snapshot() ?? []) {
          this.inc({ service: c.service, operation: c.operation, outcome: c.outcome }, c.count);
        }
      },
    });
    new Counter({
      name: 'albatross_aws_throttled_total',
      help: 'AWS API attempts answered with a throttling error (Throttling, RequestLimitExceeded, ...), by service and operation.',
      labelNames: ['service', 'operation'],
      registers,
      collect() {
        this.reset();
        for (const c of awsCalls?.throttled() ?? []) {
          this.inc({ service: c.service, operation: c.operation }, c.count);
        }
      },
    });
    new Counter({
      name: 'albatross_aws_retries_total',
      help: "AWS API attempts that were the SDK's retries (attempt 2 and later), by service and operation.",
      labelNames: ['service', 'operation'],
      registers,
      collect() {
        this.reset();
        for (const c of awsCalls?.retries() ?? []) {
          this.inc({ service: c.service, operation: c.operation }, c.count);
        }
      },
    });
    const { awsLimiter } = sources;
    new Counter({
      name: 'albatross_aws_rate_limit_wait_seconds_total',
      help: 'Time AWS calls waited for a token of the client-side rate limiter (--aws-api-rate-limits), by API family.',
      labelNames: ['family'],
      registers,
      collect() {
        this.reset();
        for (const w of awsLimiter?.waitSeconds() ?? []) this.inc({ family: w.family }, w.seconds);
      },
    });
    new Gauge({
      name: 'albatross_managed_load_balancers',
      help: 'Application Load Balancers managed by this controller.',
      registers,
      collect() {
        this.set(managedLoadBalancers?.() ?? 0);
      },
    });
    new Gauge({
      name: 'albatross_ungated_pods',
      help: 'Pods in labelled namespaces that are targets of a gated target group but have no readiness gate (created while the webhook was unreachable): each must be recreated to get it.',
      registers,
      collect() {
        this.set(ungatedPods?.() ?? 0);
      },
    });
    const { duplicatesRepaired } = sources;
    new Counter({
      name: 'albatross_duplicates_repaired_total',
      help: 'Duplicate AWS resources of a stack (a second ALB, listener on one port, target group, security group or rule for one stack resource) deleted, by kind.',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        for (const [kind, count] of duplicatesRepaired?.() ?? []) this.inc({ kind }, count);
      },
    });
    new Gauge({
      name: 'albatross_leader',
      help: '1 when this replica holds the leader lease, else 0.',
      registers,
      collect() {
        this.set(sources.isLeader() ? 1 : 0);
      },
    });
  }

  observeReconcile(handled: HandledResult, durationSeconds: number): void {
    this.#reconciles.inc({ outcome: handled.outcome });
    this.#duration.observe(durationSeconds);
    if (handled.errorReason !== undefined) this.#errors.inc({ reason: handled.errorReason });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ readonly body: string; readonly contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
