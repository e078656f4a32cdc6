/**
 * Two controller processes share one Lease: only the leader writes; a follower keeps
 * warm caches and makes no mutating AWS call; SIGKILL the leader and the follower takes
 * over within the lease duration and converges a change made after the kill; SIGTERM a
 * leader and it exits 0 having released the Lease, so the next follower takes over at
 * once instead of waiting the Lease out.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { useTestEnv, type TestEnv } from '../env/testenv.ts';
import {
  mutating,
  useControllers,
  type ControllerProcess,
  type LogLine,
} from './controller-process.ts';
import { assertSteady } from './steady-state.ts';
import { awsView, Cluster, eventually, ingressManifest, ruleSummary } from './world-view.ts';

const LEASE = 'albatross-e2e';
const LEASE_MS = 3000;
const RETRY_MS = 500;

describe('two controllers with leader election', () => {
  const testEnv = useTestEnv();
  const controllers = useControllers();
  let env: TestEnv;
  let cluster: Cluster;
  let ns: string;
  let a: ControllerProcess;
  let b: ControllerProcess;

  const start = (name: string): ControllerProcess =>
    controllers.start(env, {
      name,
      args: [
        '--watch-namespace',
        ns,
        '--leader-election-namespace',
        ns,
        '--leader-election-name',
        LEASE,
        '--leader-election-lease-duration',
        `${String(LEASE_MS)}ms`,
        '--leader-election-renew-deadline',
        '2s',
        '--leader-election-retry-period',
        `${String(RETRY_MS)}ms`,
        '--sync-period',
        '10s',
        '--shutdown-grace-period',
        '5s',
      ],
    });

  const leading = async (c: ControllerProcess): Promise<boolean> =>
    (await c.metric('albatross_leader')) === 1;

  const identityOf = async (c: ControllerProcess): Promise<string> => {
    const line: LogLine = await c.waitForLine('the starting line', (l) => l.msg === 'starting');
    return String(line.identity);
  };

  async function holder(): Promise<string | undefined> {
    const lease = await env.kc
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: LEASE, namespace: ns });
    return lease.spec?.holderIdentity ?? undefined;
  }

  async function servedPaths(address: string): Promise<string[]> {
    const lb = (await awsView(env)).ourLbs().find((l) => l.dnsName === address);
    return (lb?.rules ?? []).flatMap((r) => ruleSummary(r).paths).sort();
  }

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('e2e');
    cluster = new Cluster(env, ns);
    await cluster.service('web');
  });

  it('only the leader writes; the follower stands by ready, with no mutating AWS call', async () => {
    // GIVEN a leader, then a second replica
    a = start('a');
    await eventually('a leads', async () => ((await leading(a)) ? true : undefined));
    b = start('b');
    await eventually('b ready as standby', async () => {
      const ready = await b.health('/readyz');
      return ready.status === 200 ? ready : undefined;
    });
    assert.equal(await holder(), await identityOf(a));
    // WHEN an Ingress is created
    await cluster.createIngress(ingressManifest('web', [{ path: '/web', service: 'web' }]));
    // THEN the leader converges it and the follower wrote nothing
    await eventually('the address of web', () => cluster.address('web'));
    await assertSteady(a, cluster, 'web', `${ns}/web`);
    assert.equal(await b.metric('albatross_leader'), 0);
    assert.deepEqual(mutating(await b.awsCalls()), {});
    assert.equal(
      b.lines.filter((l) => l.msg === 'reconciled').length,
      0,
      'the follower reconciled nothing',
    );
  });

  it('SIGKILL the leader: the follower takes over within the lease duration and converges a later change', async () => {
    const address = await eventually('the address of web', () => cluster.address('web'));
    // WHEN the leader dies without releasing the Lease, and the Ingress changes after
    await a.stop('SIGKILL');
    const killedAt = Date.now();
    await cluster.updateIngress(ingressManifest('web', [{ path: '/web2', service: 'web' }]));
    // THEN b leads within the Lease's duration (plus one retry and a scrape's slack)
    await eventually('b leads', async () => ((await leading(b)) ? true : undefined), 10_000);
    const tookOver = Date.now() - killedAt;
    console.log(`follower took over ${String(tookOver)} ms after the leader's SIGKILL`);
    assert.ok(tookOver < LEASE_MS + RETRY_MS + 1500, `took over after ${String(tookOver)} ms`);
    assert.equal(await holder(), await identityOf(b));
    // AND converges the change
    await eventually('b serves /web2', async () => {
      const paths = await servedPaths(address);
      return paths.includes('/web2') && !paths.includes('/web') ? true : undefined;
    });
    await assertSteady(b, cluster, 'web', `${ns}/web`);
  });

  it('SIGTERM the leader: it exits 0 and releases the Lease; the next follower takes over at once', async () => {
    // GIVEN b leads and c stands by
    const c = start('c');
    await eventually('c ready as standby', async () =>
      (await c.health('/readyz')).status === 200 ? true : undefined,
    );
    const bIdentity = await identityOf(b);
    // WHEN b is terminated
    const termAt = Date.now();
    const { code } = await b.stop('SIGTERM');
    // THEN it exits 0, the Lease no longer names it, and c takes over before the Lease
    // could have expired
    assert.equal(code, 0);
    assert.notEqual(await holder(), bIdentity);
    await eventually('c leads', async () => ((await leading(c)) ? true : undefined), 10_000);
    const tookOver = Date.now() - termAt;
    console.log(`follower took over ${String(tookOver)} ms after the leader's SIGTERM`);
    assert.ok(tookOver < LEASE_MS, `took over after ${String(tookOver)} ms`);
    await assertSteady(c, cluster, 'web', `${ns}/web`);
  });
});
