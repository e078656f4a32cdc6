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
});
