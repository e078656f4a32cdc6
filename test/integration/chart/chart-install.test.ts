/**
 * `helm install` and `helm uninstall` for real against the test API server, as an
 * operator runs them: the release's objects appear, the chart's CRDs are in place, and
 * uninstalling removes every object, cluster-scoped ones included, except the
 * IngressClass: it is kept (`ingressClass.keepOnUninstall`), so no Ingress is left naming
 * a class that does not exist, and a reinstall of the release takes it over. Nothing runs the
 * pods (the test control plane has no scheduler or kubelet), so no --wait.
 *
 * The webhook is off here: a real MutatingWebhookConfiguration would be called for
 * other suites' pods in the shared API server. chart-dry-run checks that one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
} from '@kubernetes/client-node';
import { chartCrds } from '../../env/crds.ts';
import { chartDir, helm } from '../../env/helm.ts';
import { useTestEnv } from '../../env/testenv.ts';

function status(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

describe('helm chart: helm install and uninstall', () => {
  const testEnv = useTestEnv();

  it('installs the release, then uninstalls every object of it but the IngressClass', async () => {
    const env = testEnv.env;
    const ns = await env.freshNamespace('chart-install');
    const id = randomBytes(3).toString('hex');
    const fullname = `albatross-${id}`;
    const className = `alb-${id}`;
    const kube = ['--kubeconfig', env.state.kubeconfigFile, '--namespace', ns];
    const values = [
      '--set',
      `clusterName=${env.clusterName}`,
      '--set',
      `fullnameOverride=${fullname}`,
      '--set',
      `ingressClass.name=${className}`,
      '--set',
      'webhook.enabled=false',
    ];
    const installed = helm(['install', 'albatross', chartDir, ...kube, ...values]);
    assert.equal(installed.status, 0, installed.stderr);
    assert.match(installed.stdout, /STATUS: deployed/);
    // NOTES.txt speaks to the operator about the class and the credentials.
    assert.match(installed.stdout, new RegExp(`spec.ingressClassName: ${className}`));
    assert.match(installed.stdout, /EKS Pod Identity/);

    const apps = env.kc.makeApiClient(AppsV1Api);
    const rbac = env.kc.makeApiClient(RbacAuthorizationV1Api);
    const net = env.kc.makeApiClient(NetworkingV1Api);
    const deployment = await apps.readNamespacedDeployment({ name: fullname, namespace: ns });
    assert.equal(deployment.spec?.replicas, 2);
    await rbac.readClusterRole({ name: fullname });
    const cls = await net.readIngressClass({ name: className });
    assert.equal(cls.spec?.controller, 'albatross.dev/alb');
    const ext = env.kc.makeApiClient(ApiextensionsV1Api);
    for (const crd of chartCrds()) {
      await ext.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
    }

    const listed = helm(['list', ...kube, '--output', 'json']);
    assert.equal(listed.status, 0, listed.stderr);
    const releases = JSON.parse(listed.stdout) as { name: string; status: string }[];
    assert.deepEqual(
      releases.map((r) => [r.name, r.status]),
      [['albatross', 'deployed']],
    );

    const removed = helm(['uninstall', 'albatross', ...kube]);
    assert.equal(removed.status, 0, removed.stderr);
    await assert.rejects(rbac.readClusterRole({ name: fullname }), (e) => status(e) === 404);
    const kept = await net.readIngressClass({ name: className });
    assert.equal(kept.spec?.controller, 'albatross.dev/alb');
    assert.equal(kept.metadata?.uid, cls.metadata?.uid, 'the same IngressClass, never deleted');
    // A reinstall of the release takes the kept class over, and uninstalls cleanly again.
    const again = helm(['install', 'albatross', chartDir, ...kube, ...values]);
    assert.equal(again.status, 0, again.stderr);
    const reinstalled = helm(['uninstall', 'albatross', ...kube]);
    assert.equal(reinstalled.status, 0, reinstalled.stderr);
    await net.deleteIngressClass({ name: className });
    // No garbage collector here: the Deployment object itself is deleted by helm.
    await assert.rejects(
      apps.readNamespacedDeployment({ name: fullname, namespace: ns }),
      (e) => status(e) === 404,
    );
  });
});
