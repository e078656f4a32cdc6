/**
 * The watchdog restarts an informer whose watch broke (an error) or went silent (a
 * half-open connection); the writers touch the API server only when something changed
 * and survive a concurrent writer.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  CoreV1Api,
  NetworkingV1Api,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import {
  addFinalizer,
  EventRecorder,
  Informer,
  removeFinalizer,
  stripService,
  writeIngressStatus,
} from '../../../pkg/k8s/index.ts';
import type { WatchConnect } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from './helpers.ts';

const finalizersOf = (i: V1Ingress): readonly string[] | undefined => i.metadata?.finalizers;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Real watch connections that a test can break: abort one, or make it go silent. */
function breakableConnections(env: TestEnv) {
  const watch = new Watch(env.kc);
  const open: { controller?: AbortController; silent: boolean }[] = [];
  const connect: WatchConnect = async (path, query, callback, done) => {
    const connection: { controller?: AbortController; silent: boolean } = { silent: false };
    open.push(connection);
    connection.controller = await watch.watch(
      path,
      query,
      (phase, object, raw) => {
        if (!connection.silent) callback(phase, object, raw);
      },
      done,
    );
    return connection.controller;
  };
  return { connect, latest: () => open.at(-1), count: () => open.length };
}

describe('watchdog and writers', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let ns: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;

  before(async () => {
    env = testEnv.env;
    ns = await env.freshNamespace('wd');
    core = env.kc.makeApiClient(CoreV1Api);
    net = env.kc.makeApiClient(NetworkingV1Api);
  });

  const serviceInformer = (connect: WatchConnect, stallTimeoutMs: number) =>
    new Informer<V1Service>({
      kind: 'Service',
      kc: env.kc,
      path: `/api/v1/namespaces/${ns}/services`,
      list: () => core.listNamespacedService({ namespace: ns }),
      strip: stripService,
      stallTimeoutMs,
      errorBackoffMs: 100,
      connect,
    });

  it('restarts an informer whose watch failed, and it sees what happened meanwhile', async () => {
    const wire = breakableConnections(env);
    const informer = serviceInformer(wire.connect, 60_000);
    await informer.start();
    try {
      await eventually('watching', () => (wire.latest()?.controller ? true : undefined));
      // WHEN the watch connection is cut
      wire.latest()?.controller?.abort();
      await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'after-cut') });
      // THEN the watchdog restarts it and the cache catches up
      await eventually('service seen', () => informer.get('after-cut', ns));
      assert.ok(informer.restarts >= 1, `restarts: ${String(informer.restarts)}`);
    } finally {
      await informer.stop();
    }
  });

  it('restarts an informer whose watch went silent', async () => {
    const wire = breakableConnections(env);
    const informer = serviceInformer(wire.connect, 600);
    await informer.start();
    try {
      await eventually('watching', () => (wire.latest()?.controller ? true : undefined));
      const connections = wire.count();
      // WHEN the connection stays open but delivers nothing (half-open)
      const silenced = wire.latest();
      if (silenced) silenced.silent = true;
      await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'unheard') });
      // THEN after the stall timeout the informer reconnects and sees the Service
      await eventually('service seen', () => informer.get('unheard', ns));
      assert.ok(wire.count() > connections, 'a new connection was opened');
      assert.ok(informer.restarts >= 1);
    } finally {
      await informer.stop();
    }
  });

  it('adds and removes a finalizer despite a concurrent update, keeping the other writer’s change', async () => {
    // GIVEN an Ingress we read, then someone else updates it
    const stale = await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'fin', { services: ['web'] }),
    });
    await net.patchNamespacedIngress(
      {
        name: 'fin',
        namespace: ns,
        body: { metadata: { labels: { team: 'blue' }, finalizers: ['example.com/keep'] } },
      },
      mergePatch,
    );
    // WHEN we add our finalizer from the stale copy
    const added = await addFinalizer(net, stale, 'albatross.dev/resources');
    // THEN the conflict was retried: both finalizers and the label are there
    assert.equal(added.change, 'added');
    const now = await net.readNamespacedIngress({ name: 'fin', namespace: ns });
    assert.deepEqual(finalizersOf(now), ['example.com/keep', 'albatross.dev/resources']);
    assert.equal(now.metadata?.labels?.team, 'blue');
    // WHEN we add it again: no write
    const again = await addFinalizer(net, now, 'albatross.dev/resources');
    assert.equal(again.change, 'unchanged');
    // WHEN someone else writes again and we remove ours from the copy read before
    await net.patchNamespacedIngress(
      { name: 'fin', namespace: ns, body: { metadata: { labels: { team: 'green' } } } },
      mergePatch,
    );
    const removed = await removeFinalizer(net, now, 'albatross.dev/resources');
    assert.equal(removed.change, 'removed');
    const last = await net.readNamespacedIngress({ name: 'fin', namespace: ns });
    assert.deepEqual(finalizersOf(last), ['example.com/keep']);
    assert.equal(last.metadata?.labels?.team, 'green');
  });

  it('writes the status only when the address changed', async () => {
    const created = await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'st', { services: ['web'] }),
    });
    // WHEN the address is set
    assert.equal(
      await writeIngressStatus(net, created, 'k8s-a-1.us-east-1.elb.amazonaws.com'),
      true,
    );
    const after = await net.readNamespacedIngress({ name: 'st', namespace: ns });
    assert.equal(
      after.status?.loadBalancer?.ingress?.[0]?.hostname,
      'k8s-a-1.us-east-1.elb.amazonaws.com',
    );
    // WHEN the same address is written again: no call, resourceVersion unchanged
    assert.equal(
      await writeIngressStatus(net, after, 'k8s-a-1.us-east-1.elb.amazonaws.com'),
      false,
    );
    const still = await net.readNamespacedIngress({ name: 'st', namespace: ns });
    assert.equal(still.metadata?.resourceVersion, after.metadata?.resourceVersion);
  });

  it('counts identical Events instead of repeating them', async () => {
    const target = await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'ev', { services: ['web'] }),
    });
    const recorder = new EventRecorder(core);
    const message =
      'alb.ingress.kubernetes.io/scheme "publik": must be internal or internet-facing';
    // WHEN the same Warning is recorded three times, and another once
    assert.equal(await recorder.record(target, 'Warning', 'FailedBuildModel', message), 'created');
    assert.equal(await recorder.record(target, 'Warning', 'FailedBuildModel', message), 'counted');
    assert.equal(await recorder.record(target, 'Warning', 'FailedBuildModel', message), 'counted');
    await recorder.record(target, 'Normal', 'SuccessfullyReconciled', 'Successfully reconciled');
    // THEN there are two Events on the Ingress, the Warning with count 3
    const events = await core.listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=ev`,
    });
    const byReason = new Map(events.items.map((e) => [e.reason, e]));
    assert.equal(events.items.length, 2);
    assert.equal(byReason.get('FailedBuildModel')?.count, 3);
    assert.equal(byReason.get('FailedBuildModel')?.message, message);
    assert.equal(byReason.get('FailedBuildModel')?.involvedObject.uid, target.metadata?.uid);
  });
});
