/**
 * The informers against the real API server: they see creates, updates and deletes,
 * cache objects stripped of what we never read, and the mapper turns each event into
 * the work keys of exactly the groups it touches.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  DiscoveryV1Api,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1Ingress } from '@kubernetes/client-node';
import { finalizerFor, groupIngresses } from '../../../pkg/ingress/index.ts';
import { defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import { ClusterCaches, GroupKeyMapper, wireEvents } from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { endpointSlice, eventually, ingress, nodePortService } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('caches and mappers', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let caches: ClusterCaches;
  let mapper: GroupKeyMapper;
  let keys: string[] = [];
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let discovery: DiscoveryV1Api;
  const group = `shop-${String(process.pid)}`;

  before(async () => {
    const env = testEnv.env;
    ns = await env.freshNamespace('k8s');
    core = env.kc.makeApiClient(CoreV1Api);
    net = env.kc.makeApiClient(NetworkingV1Api);
    discovery = env.kc.makeApiClient(DiscoveryV1Api);
    caches = new ClusterCaches({ kc: env.kc, digestKey: new Uint8Array(32), watchNamespace: ns });
    mapper = new GroupKeyMapper(caches, defaultTranslateConfig);
    wireEvents(caches, mapper, (key) => keys.push(key));
    await caches.start();
    await eventually('caches synced', () => (caches.hasSynced() ? true : undefined));
  });
  after(async () => {
    await caches.stop();
  });

  const seen = (key: string) => () => (keys.includes(key) ? true : undefined);

  it('maps Ingress creates to their groups and caches them without managedFields or last-applied', async () => {
    // GIVEN an implicit-group Ingress and a member of an explicit group, both using `shared`
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'shared') });
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'own') });
    const a = ingress(ns, 'a', {
      services: ['shared', 'own'],
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}' },
    });
    const b = ingress(ns, 'b', {
      services: ['other'],
      annotations: {
        'alb.ingress.kubernetes.io/group.name': group,
        'alb.ingress.kubernetes.io/actions.split': JSON.stringify({
          type: 'forward',
          forwardConfig: { targetGroups: [{ serviceName: 'shared', servicePort: 80 }] },
        }),
      },
    });
    // WHEN they are created
    await net.createNamespacedIngress({ namespace: ns, body: a });
    await net.createNamespacedIngress({ namespace: ns, body: b });
    // THEN each group's key is queued, and the cache holds the lean objects
    await eventually('key of a', seen(`${ns}/a`));
    await eventually('key of b', seen(group));
    const cached = caches.ingresses.get('a', ns);
    assert.equal(cached?.metadata?.managedFields, undefined);
    assert.equal(cached?.metadata?.annotations, undefined);
  });

  it('sends a Service change to every group that routes to it, including via actions.*', async () => {
    keys = [];
    // WHEN the shared Service changes port
    await core.patchNamespacedService(
      {
        name: 'shared',
        namespace: ns,
        body: { spec: { ports: [{ name: 'http', port: 81, targetPort: 8080, protocol: 'TCP' }] } },
      },
      mergePatch,
    );
    // THEN both groups get a full reconcile
    await eventually('both groups', () =>
      keys.includes(`${ns}/a`) && keys.includes(group) ? true : undefined,
    );
    assert.ok(!keys.some((k) => k.startsWith('targets:')), `no targets-only keys: ${keys.join()}`);
  });

  it('sends an EndpointSlice change only to target registration of the groups using it', async () => {
    keys = [];
    // GIVEN group a registers `own` by ip (as its reconciler reported)
    mapper.recordTargetUse(`${ns}/a`, { instance: false, ipServices: [`${ns}/own`] });
    mapper.recordTargetUse(group, { instance: true, ipServices: [] });
    // WHEN the EndpointSlice of `own` appears and then scales
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: endpointSlice(ns, 'own', ['10.0.128.10']),
    });
    await eventually('targets key of a', seen(`targets:${ns}/a`));
    await discovery.patchNamespacedEndpointSlice(
      {
        name: 'own-slice',
        namespace: ns,
        body: { endpoints: endpointSlice(ns, 'own', ['10.0.128.10', '10.0.128.11']).endpoints },
      },
      mergePatch,
    );
    await eventually('second slice event', () =>
      caches.endpointSlices.get('own-slice', ns)?.endpoints?.length === 2 ? true : undefined,
    );
    // THEN only the targets key of a, never a full reconcile, never group b
    assert.deepEqual([...new Set(keys)], [`targets:${ns}/a`]);
  });

  it('sends a Node change only to the groups that register instances', async () => {
    keys = [];
    const [node] = caches.nodeList();
    assert.ok(node?.metadata?.name !== undefined, 'the seeded world has Nodes');
    // WHEN a Node's labels change
    await core.patchNode(
      { name: node.metadata.name, body: { metadata: { labels: { flavour: String(Date.now()) } } } },
      mergePatch,
    );
    await eventually('targets key of b', seen(`targets:${group}`));
    // THEN only the instance-mode group is told
    assert.ok(!keys.includes(`targets:${ns}/a`));
    assert.ok(!keys.some((k) => !k.startsWith('targets:')));
    assert.equal(caches.nodes.get(node.metadata.name)?.status?.images, undefined);
  });

  it('sends a moved Ingress to its old and its new group, and a deleted one to its group', async () => {
    keys = [];
    // WHEN a joins the explicit group
    await net.patchNamespacedIngress(
      {
        name: 'a',
        namespace: ns,
        body: { metadata: { annotations: { 'alb.ingress.kubernetes.io/group.name': group } } },
      },
      mergePatch,
    );
    // THEN both its old implicit group and the new one are reconciled
    await eventually('old and new group', () =>
      keys.includes(`${ns}/a`) && keys.includes(group) ? true : undefined,
    );
    keys = [];
    // WHEN b is deleted
    await net.deleteNamespacedIngress({ name: 'b', namespace: ns });
    await eventually('group of b', seen(group));
    assert.equal(caches.ingresses.get('b', ns), undefined);
  });

  it('loads each group from its index exactly as the full grouping, after a series of real API events', async () => {
    const moved = `moved-${String(process.pid)}`;
    const away = `away-${String(process.pid)}`;
    const ids = [moved, away, `${ns}/c1`, `${ns}/c2`, `${ns}/c3`];
    const groupName = 'alb.ingress.kubernetes.io/group.name';
    const patch = (name: string, metadata: Record<string, unknown>) =>
      net.patchNamespacedIngress({ name, namespace: ns, body: { metadata } }, mergePatch);
    /** Once the cache shows the step, the index and the full grouping agree on every group. */
    const agreeOnce = async (
      step: string,
      cached: (c: (n: string) => V1Ingress | undefined) => boolean,
    ) => {
      await eventually(step, () =>
        cached((name) => caches.ingresses.get(name, ns)) ? true : undefined,
      );
      const full = new Map(
        groupIngresses(
          caches.ingressList(),
          caches.ingressClassMap(),
          defaultTranslateConfig,
          caches.classParamsInput(),
        ).map((g) => [g.id, g]),
      );
      for (const id of ids) {
        assert.deepEqual(
          caches.groupOf(id, defaultTranslateConfig),
          full.get(id),
          `${step}: ${id}`,
        );
      }
      return full;
    };
    const annotations = (n: string) => (c: (n: string) => V1Ingress | undefined) =>
      c(n)?.metadata?.annotations?.[groupName];
    const finalizers = (n: string) => (c: (n: string) => V1Ingress | undefined) =>
      c(n)?.metadata?.finalizers ?? [];

    // GIVEN an implicit-group Ingress and two members of one explicit group
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'c1', { services: ['own'] }),
    });
    for (const [name, order] of [
      ['c2', '5'],
      ['c3', '1'],
    ] as const) {
      const body = ingress(ns, name, {
        services: ['own'],
        annotations: { [groupName]: moved, 'alb.ingress.kubernetes.io/group.order': order },
      });
      await net.createNamespacedIngress({ namespace: ns, body });
    }
    let full = await agreeOnce('created', (c) => c('c3') !== undefined && c('c2') !== undefined);
    assert.deepEqual(
      full.get(moved)?.members.map((m) => m.key),
      [`${ns}/c3`, `${ns}/c2`],
    );

    // WHEN c1 joins the group, and c3 holds its finalizer, then moves away
    await patch('c1', { annotations: { [groupName]: moved } });
    await agreeOnce('c1 joined', (c) => annotations('c1')(c) === moved);
    await patch('c3', { finalizers: [finalizerFor({ kind: 'explicit', name: moved })] });
    await agreeOnce('c3 finalizer', (c) => finalizers('c3')(c).length === 1);
    await patch('c3', { annotations: { [groupName]: away } });
    full = await agreeOnce('c3 moved', (c) => annotations('c3')(c) === away);
    assert.deepEqual(
      full.get(moved)?.inactiveMembers.map((m) => m.key),
      [`${ns}/c3`],
    );

    // WHEN c1 gets a finalizer of a group it is not in (an echo the mappers do not hear)
    await patch('c1', { finalizers: [finalizerFor({ kind: 'explicit', name: away })] });
    full = await agreeOnce('c1 finalizer', (c) => finalizers('c1')(c).length === 1);
    assert.deepEqual(
      full.get(away)?.inactiveMembers.map((m) => m.key),
      [`${ns}/c1`],
    );

    // WHEN c2 names a class that does not exist, c3 is deleted (held by its finalizer)
    await net.patchNamespacedIngress(
      {
        name: 'c2',
        namespace: ns,
        body: { spec: { ingressClassName: `gone-${String(process.pid)}` } },
      },
      mergePatch,
    );
    await agreeOnce('c2 unknown class', (c) => c('c2')?.spec?.ingressClassName !== 'alb');
    await net.deleteNamespacedIngress({ name: 'c3', namespace: ns });
    await agreeOnce('c3 deleting', (c) => c('c3')?.metadata?.deletionTimestamp != null);

    // THEN, the finalizers released and the Ingresses gone, no group is left
    await patch('c3', { finalizers: null });
    await patch('c1', { finalizers: null });
    for (const name of ['c1', 'c2']) await net.deleteNamespacedIngress({ name, namespace: ns });
    full = await agreeOnce('all gone', (c) => ['c1', 'c2', 'c3'].every((n) => c(n) === undefined));
    for (const id of ids) {
      assert.equal(full.get(id), undefined);
      assert.equal(caches.groupOf(id, defaultTranslateConfig), undefined);
    }
  });
});
