/**
 * `security-groups` with and without `manage-backend-security-group-rules`, end to end
 * in-process (real API server and caches, the reconciler against moto): with user-given
 * frontend groups the controller touches no backend rule unless told to; told to, it also
 * attaches the cluster's shared backend group and admits it on the node group — and
 * removes both again when the annotation goes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { AwsClients } from '../../../pkg/aws/index.ts';
import type { ClusterCaches } from '../../../pkg/k8s/index.ts';
import type { Reconciler, ReconcileReport } from '../../../controller/reconciler.ts';
import {
  startInProcessReconciler,
  type InProcessReconciler,
} from '../../env/in-process-reconciler.ts';
import { useTestEnv } from '../../env/testenv.ts';
import type { TestEnv } from '../../env/testenv.ts';
import { eventually, ingress, nodePortService } from './helpers.ts';

const A = 'alb.ingress.kubernetes.io/';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describe('user-given security groups and backend rules', () => {
  // Backend rules are cluster-level: a private environment, so no other suite's groups
  // hold a rule in place.
  const testEnv = useTestEnv({ isolated: true });
  let env: TestEnv;
  let ns: string;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let aws: AwsClients;
  let caches: ClusterCaches;
  let reconciler: Reconciler;
  let harness: InProcessReconciler;
  let userGroup: string;
  const signal = new AbortController().signal;

  before(async () => {
    env = testEnv.env;
    await env.resetAws();
    ns = await env.freshNamespace('listed-sg');
    harness = await startInProcessReconciler(env);
    ({ core, net, aws, caches, reconciler } = harness);
    await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
    const created = await aws.ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'user-frontend',
        Description: 'made by the user',
        VpcId: env.world.vpcId,
      }),
    );
    userGroup = created.GroupId ?? '';
  });
  after(async () => {
    await harness.stop();
  });

  async function reconcileShop(annotations: Record<string, string>): Promise<ReconcileReport> {
    const body = ingress(ns, 'shop', { services: ['web'], annotations });
    const exists = caches.ingresses.get('shop', ns) !== undefined;
    if (exists) {
      await net.patchNamespacedIngress({ name: 'shop', namespace: ns, body }, mergePatch);
    } else {
      await net.createNamespacedIngress({ namespace: ns, body });
    }
    const live = await net.readNamespacedIngress({ name: 'shop', namespace: ns });
    await eventually('cached', () =>
      caches.ingresses.get('shop', ns)?.metadata?.resourceVersion === live.metadata?.resourceVersion
        ? true
        : undefined,
    );
    const report = await reconciler.reconcile(`${ns}/shop`, signal);
    assert.deepEqual(report.frozen, []);
    return report;
  }

  async function albGroups(): Promise<string[]> {
    const found = await aws.elbv2.send(new DescribeLoadBalancersCommand({}));
    assert.equal(found.LoadBalancers?.length, 1);
    const [lb] = found.LoadBalancers ?? [];
    return [...(lb?.SecurityGroups ?? [])].sort();
  }

  async function backendGroup(): Promise<string | undefined> {
    const found = await aws.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: 'tag:albatross.dev/resource', Values: ['shared-backend'] }],
      }),
    );
    return found.SecurityGroups?.[0]?.GroupId;
  }

  /** Our rules on the node group, as `from-to from source`. */
  async function nodeRules(): Promise<string[]> {
    const found = await aws.ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [env.world.nodeSecurityGroupId] }],
      }),
    );
    return (found.SecurityGroupRules ?? [])
      .filter((r) => r.Tags?.some((t) => t.Key === 'albatross.dev/cluster') === true)
      .map(
        (r) =>
          `${String(r.FromPort)}-${String(r.ToPort)} from ${r.ReferencedGroupInfo?.GroupId ?? '?'}`,
      )
      .sort();
  }

  async function assertSteady(annotations: Record<string, string>): Promise<void> {
    aws.calls.reset();
    const again = await reconcileShop(annotations);
    assert.equal(again.planned, 0);
    assert.equal(aws.calls.mutatingCalls(), 0);
  }

  it('GIVEN security-groups alone WHEN reconciled THEN the ALB has only the user group and no backend rule is made', async () => {
    const annotations = { [`${A}security-groups`]: userGroup };
    const report = await reconcileShop(annotations);
    assert.ok(report.dnsName !== null);
    assert.deepEqual(await albGroups(), [userGroup]);
    assert.deepEqual(await nodeRules(), []);
    await assertSteady(annotations);
  });

  it('GIVEN manage-backend-security-group-rules true WHEN reconciled THEN the shared backend group joins the ALB and is admitted on the node group', async () => {
    const annotations = {
      [`${A}security-groups`]: userGroup,
      [`${A}manage-backend-security-group-rules`]: 'true',
    };
    await reconcileShop(annotations);
    const backend = await backendGroup();
    assert.ok(backend !== undefined);
    assert.deepEqual(await albGroups(), [userGroup, backend].sort());
    assert.deepEqual(await nodeRules(), [`30000-32767 from ${backend}`]);
    await assertSteady(annotations);
  });

  it('GIVEN the annotation set back to false WHEN reconciled THEN the backend group leaves the ALB and its node rule is revoked', async () => {
    const annotations = {
      [`${A}security-groups`]: userGroup,
      [`${A}manage-backend-security-group-rules`]: 'false',
    };
    await reconcileShop(annotations);
    assert.deepEqual(await albGroups(), [userGroup]);
    assert.deepEqual(await nodeRules(), []);
    await assertSteady(annotations);
  });
});
