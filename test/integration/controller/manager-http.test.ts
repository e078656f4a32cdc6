/**
 * The manager as a replica runs it, against the real API server's Lease: HTTP health,
 * readiness and Prometheus metrics, workers only on the leader, and a graceful shutdown
 * that hands the Lease over.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { CallCounter } from '../../../pkg/aws/index.ts';
import { ConfigError } from '../../../pkg/errors/index.ts';
import { useTestEnv, type TestEnv } from '../../env/testenv.ts';
import type { ListenAddress } from '../../../controller/config.ts';
import { kubeLeaseClient } from '../../../controller/leader-election.ts';
import { createLogger } from '../../../controller/log.ts';
import {
  Manager,
  processWith,
  type ControllerPlug,
  type ManagerConfig,
} from '../../../controller/manager.ts';

class FakePlug implements ControllerPlug {
  synced = false;
  readonly reconciled: string[] = [];
  enqueue: (key: string) => void = () => undefined;
  #failedOnce = false;
  readonly process = processWith(
    async (key) => {
      this.reconciled.push(key);
      await delay(5);
      if (key === 'shop/b' && !this.#failedOnce) {
        this.#failedOnce = true;
        throw new ConfigError('no subnet matches the discovery tags');
      }
      return { changesApplied: 1 };
    },
    createLogger({ write: () => undefined }),
  );

  async start(enqueue: (key: string) => void, signal: AbortSignal): Promise<void> {
    this.enqueue = enqueue;
    await new Promise((resolve) => {
      signal.addEventListener('abort', resolve, { once: true });
    });
  }
  hasSynced(): boolean {
    return this.synced;
  }
  keys(): string[] {
    return ['shop/a', 'shop/b'];
  }
  managedLoadBalancers(): number {
    return 2;
  }
}

interface Replica {
  readonly manager: Manager;
  readonly plug: FakePlug;
  readonly stop: AbortController;
  readonly exit: Promise<0 | 1>;
  readonly addresses: Promise<{ metrics: ListenAddress; health: ListenAddress }>;
}

async function get(addr: ListenAddress, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${addr.port}${path}`);
  return { status: res.status, body: await res.text() };
}

async function waitFor(what: string, condition: () => Promise<boolean> | boolean, ms = 8000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await delay(50);
  }
}

/** The value of one series in an exposition text, or undefined. */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('manager: HTTP endpoints, leader-only workers, graceful handover', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let namespace: string;
  before(async () => {
    env = testEnv.env;
    namespace = await env.freshNamespace('mgr');
  });

  const replicas: Replica[] = [];
  after(async () => {
    for (const r of replicas) r.stop.abort();
    await Promise.all(replicas.map((r) => r.exit));
  });

  function replica(name: string, leaseName: string, calls?: CallCounter): Replica {
    const config: ManagerConfig = {
      workers: 2,
      syncPeriodMs: 3_600_000,
      leaderElection: {
        enabled: true,
        namespace,
        name: leaseName,
        leaseDurationMs: 3000,
        renewDeadlineMs: 2000,
        retryPeriodMs: 300,
      },
      metricsAddr: { host: '127.0.0.1', port: 0 },
      healthAddr: { host: '127.0.0.1', port: 0 },
      shutdownGracePeriodMs: 5000,
    };
    const plug = new FakePlug();
    let listening: (a: { metrics: ListenAddress; health: ListenAddress }) => void = () => undefined;
    const addresses = new Promise<{ metrics: ListenAddress; health: ListenAddress }>(
      (resolve) => (listening = resolve),
    );
    const manager = new Manager({
      config,
      plug,
      log: createLogger({
        level: 'debug',
        write: (line) => {
          if (process.env.TEST_LOG !== undefined) process.stderr.write(`${name} ${line}`);
        },
      }),
      identity: name,
      lease: kubeLeaseClient(env.kc, namespace, leaseName),
      ...(calls !== undefined ? { awsCalls: calls } : {}),
      onListening: listening,
    });
    const stop = new AbortController();
    const r = { manager, plug, stop, exit: manager.run(stop.signal), addresses };
    replicas.push(r);
    return r;
  }

  it('GIVEN a leader and a standby THEN probes, metrics and work follow leadership, and SIGTERM hands over', async () => {
    const lease = `mgr-${randomBytes(3).toString('hex')}`;
    const calls = new CallCounter();
    calls.record({ service: 'elbv2', operation: 'DescribeLoadBalancers', outcome: 'success' });
    calls.record({ service: 'elbv2', operation: 'DescribeLoadBalancers', outcome: 'success' });
    calls.record({ service: 'elbv2', operation: 'CreateRule', outcome: 'error' });

    const first = replica('first', lease, calls);
    const { metrics, health } = await first.addresses;

    // WHEN the caches have not synced THEN alive but not ready, and nothing is reconciled.
    assert.deepEqual(await get(health, '/healthz'), { status: 200, body: 'ok\n' });
    const notReady = await get(health, '/readyz');
    assert.equal(notReady.status, 503);
    assert.match(notReady.body, /caches not synced|leader election/);
    await waitFor('first to lead', () => first.manager.isLeader());
    assert.deepEqual(first.plug.reconciled, []);

    // WHEN the caches sync THEN ready as leader, and every known key is reconciled.
    first.plug.synced = true;
    await waitFor('ready', async () => (await get(health, '/readyz')).status === 200);
    assert.equal((await get(health, '/readyz')).body, 'ok: leader\n');
    await waitFor('both keys', () => first.plug.reconciled.includes('shop/a'));
    await waitFor(
      'b retried after its back-off',
      () => first.plug.reconciled.filter((k) => k === 'shop/b').length === 2,
    );

    // An event's key reaches a worker.
    first.plug.enqueue('shop/c');
    await waitFor('the enqueued key', () => first.plug.reconciled.includes('shop/c'));

    const scraped = await get(metrics, '/metrics');
    assert.equal(scraped.status, 200);
    const text = scraped.body;
    assert.equal(series(text, 'albatross_reconcile_total{outcome="success"}'), 3);
    assert.equal(series(text, 'albatross_reconcile_total{outcome="error"}'), 1);
    assert.equal(series(text, 'albatross_reconcile_errors_total{reason="config"}'), 1);
    assert.equal(series(text, 'albatross_reconcile_duration_seconds_count'), 4);
    assert.equal(series(text, 'albatross_workqueue_depth'), 0);
    assert.equal(
      series(
        text,
        'albatross_aws_api_calls_total{service="elbv2",operation="DescribeLoadBalancers",outcome="success"}',
      ),
      2,
    );
    assert.equal(
      series(
        text,
        'albatross_aws_api_calls_total{service="elbv2",operation="CreateRule",outcome="error"}',
      ),
      1,
    );
    assert.equal(series(text, 'albatross_managed_load_balancers'), 2);
    assert.equal(series(text, 'albatross_leader'), 1);
    assert.equal((await get(metrics, '/nope')).status, 404);

    // A second replica: warm, ready as standby, not leading, reconciling nothing.
    const second = replica('second', lease);
    second.plug.synced = true;
    const secondAddr = await second.addresses;
    await waitFor(
      'standby ready',
      async () => (await get(secondAddr.health, '/readyz')).status === 200,
    );
    assert.equal((await get(secondAddr.health, '/readyz')).body, 'ok: standby\n');
    assert.equal(series((await get(secondAddr.metrics, '/metrics')).body, 'albatross_leader'), 0);
    assert.deepEqual(second.plug.reconciled, []);

    // WHEN the leader is told to stop THEN it exits 0, releases the Lease, closes its
    // servers, and the standby takes over at once.
    const stoppedAt = Date.now();
    first.stop.abort();
    assert.equal(await first.exit, 0);
    await assert.rejects(get(health, '/healthz'));
    await waitFor('second to lead', () => second.manager.isLeader(), 3000);
    assert.ok(
      Date.now() - stoppedAt < 2000,
      'took over within a retry period, not a lease duration',
    );
    await waitFor('second reconciles', () => second.plug.reconciled.length >= 2);
    const held = await env.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: lease, namespace });
    assert.equal(held.spec?.holderIdentity, 'second');

    second.stop.abort();
    assert.equal(await second.exit, 0);
  });
});
