/**
 * Our own writes on an Ingress (the finalizer, the status) come back to us as watch
 * events; they must not queue the group again, or every new Ingress is reconciled twice.
 * Everyone else's writes, and a delete, must still reach the reconciler.
 *
 * "No key" is proven with a sentinel: events of one kind arrive in order, so once a
 * later change to another Ingress has been mapped, the earlier event was too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Ingress } from '@kubernetes/client-node';
import { defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import {
  addFinalizer,
  ClusterCaches,
  GroupKeyMapper,
  removeFinalizer,
  wireEvents,
  writeIngressStatus,
} from '../../../pkg/k8s/index.ts';
import { useTestEnv } from '../../env/testenv.ts';
import { eventually, ingress } from './helpers.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const OURS = 'albatross.dev/resources';
const THEIRS = 'example.com/protect';

describe('own writes are not news', () => {
  const testEnv = useTestEnv();
  let ns: string;
  let caches: ClusterCaches;
  let net: NetworkingV1Api;
  let keys: string[] = [];
  let ticks = 0;

  before(async () => {
    const env = testEnv.env;
    ns = await env.freshNamespace('own-writes');
    net = env.kc.makeApiClient(NetworkingV1Api);
    caches = new ClusterCaches({ kc: env.kc, digestKey: new Uint8Array(32), watchNamespace: ns });
    const mapper = new GroupKeyMapper(caches, defaultTranslateConfig);
    wireEvents(caches, mapper, (key) => keys.push(key));
    await caches.start();
    await eventually('caches synced', () => (caches.hasSynced() ? true : undefined));
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'web', { services: ['a'] }),
    });
    await net.createNamespacedIngress({
      namespace: ns,
      body: ingress(ns, 'sentinel', { services: ['s'] }),
    });
    await eventually('both created', () =>
      keys.includes(`${ns}/web`) && keys.includes(`${ns}/sentinel`) ? true : undefined,
    );
  });
  after(async () => {
    await caches.stop();
  });

  /** The keys queued by everything written before this call, sentinel excluded. */
  async function keysSoFar(): Promise<string[]> {
    ticks += 1;
    await net.patchNamespacedIngress(
      {
        name: 'sentinel',
        namespace: ns,
        body: { metadata: { annotations: { tick: String(ticks) } } },
      },
      mergePatch,
    );
    await eventually('sentinel', () =>
      caches.ingresses.get('sentinel', ns)?.metadata?.annotations?.tick === String(ticks)
        ? true
        : undefined,
    );
    const seen = keys.filter((k) => k !== `${ns}/sentinel`);
    keys = [];
    return seen;
  }

  const current = async (): Promise<V1Ingress> =>
    net.readNamespacedIngress({ name: 'web', namespace: ns });

  it('queues nothing for our finalizer added or our status written', async () => {
    keys = [];
    // WHEN the controller adds its finalizer and writes the address
    const added = await addFinalizer(net, await current(), OURS);
    assert.equal(added.change, 'added');
    assert.ok(added.ingress !== undefined);
    assert.ok(await writeIngressStatus(net, added.ingress, 'web.elb.example.com'));
    // THEN no work key comes of it
    assert.deepEqual(await keysSoFar(), []);
  });

  it("queues the group for someone else's finalizer, and for ours removed by someone else", async () => {
    keys = [];
    // WHEN another controller adds its finalizer
    await addFinalizer(net, await current(), THEIRS);
    // THEN the group is queued
    assert.deepEqual(await keysSoFar(), [`${ns}/web`]);
    // WHEN someone strips our finalizer by hand
    await removeFinalizer(net, await current(), OURS);
    // THEN the group is queued (its finalizer must be put back)
    assert.deepEqual(await keysSoFar(), [`${ns}/web`]);
    // AND putting it back ourselves is again no news
    await addFinalizer(net, await current(), OURS);
    assert.deepEqual(await keysSoFar(), []);
  });

  it('queues the group when the Ingress is deleted', async () => {
    keys = [];
    // WHEN the Ingress (held by finalizers) is deleted: it gets a deletionTimestamp
    await net.deleteNamespacedIngress({ name: 'web', namespace: ns });
    // THEN its group is queued, so the controller can release it
    assert.deepEqual(await keysSoFar(), [`${ns}/web`]);
    // AND releasing every finalizer (the object goes) queues it once more
    await removeFinalizer(net, await current(), THEIRS);
    await removeFinalizer(net, await current(), OURS);
    await eventually('gone', () =>
      caches.ingresses.get('web', ns) === undefined ? true : undefined,
    );
    assert.ok((await keysSoFar()).includes(`${ns}/web`));
  });
});
