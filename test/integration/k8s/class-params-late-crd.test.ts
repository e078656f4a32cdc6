/**
 * The IngressClassParams CRD installed after the controller started: the caches notice
 * it without a restart, and its objects' adds reach the mapper. Deletes and re-installs
 * the CRD of this suite's own test environment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiextensionsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { ClusterCaches, INGRESS_CLASS_PARAMS } from '../../../pkg/k8s/index.ts';
import { installCrds } from '../../env/crds.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually } from './helpers.ts';

const CRD = 'ingressclassparams.elbv2.k8s.aws';

describe('IngressClassParams CRD installed after start', () => {
  const testEnv = useTestEnv();
  let env: TestEnv;
  let caches: ClusterCaches | undefined;

  before(() => {
    env = testEnv.env;
  });
  after(async () => {
    await caches?.stop();
    await installCrds(env);
  });

  it('GIVEN no CRD at start THEN the caches run without params, and pick them up once it is installed', async () => {
    const ext = env.kc.makeApiClient(ApiextensionsV1Api);
    const custom = env.kc.makeApiClient(CustomObjectsApi);
    await ext.deleteCustomResourceDefinition({ name: CRD }).catch(() => undefined);
    await eventually(
      'the CRD gone',
      () =>
        custom.listClusterCustomObject({ ...INGRESS_CLASS_PARAMS }).then(
          () => undefined,
          (err: unknown) => ((err as { code?: number }).code === 404 ? true : undefined),
        ),
      60_000,
    );
    const seen: string[] = [];
    caches = new ClusterCaches({ kc: env.kc, digestKey: new Uint8Array(32), crdPollMs: 200 });
    caches.onIngressClassParamsChange((_type, o) => seen.push(o.metadata?.name ?? ''));
    await caches.start();
    // THEN without the CRD nothing can be read, and the resolution says so
    assert.equal(caches.ingressClassParams, undefined);
    assert.equal(caches.classParamsInput().params, undefined);

    // WHEN the CRD is installed and a params object created
    await installCrds(env);
    const name = `late-${String(Date.now())}`;
    await eventually(
      'params created',
      () =>
        custom
          .createClusterCustomObject({
            ...INGRESS_CLASS_PARAMS,
            body: {
              apiVersion: 'elbv2.k8s.aws/v1beta1',
              kind: 'IngressClassParams',
              metadata: { name },
              spec: { scheme: 'internal' },
            },
          })
          .then(
            () => true,
            () => undefined,
          ),
      30_000,
    );
    // THEN the caches watch them and the handlers hear of the object
    await eventually('the add seen', () => (seen.includes(name) ? true : undefined), 30_000);
    assert.deepEqual(caches.classParamsInput().params?.get(name), { scheme: 'internal' });
  });
});
