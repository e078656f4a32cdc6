/**
 * `albatross plan` with IngressClass and IngressClassParams in the manifests: the params
 * override the annotations of every Ingress of the class (and the Service's target-group
 * annotations), their tags win the merge, `group.name` forces the group, and an Ingress
 * in a namespace the `namespaceSelector` does not select is a problem that adds nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInventory, planInventory, readSources, runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { defaultTranslateConfig } from '../../../pkg/translate/index.ts';
import { assertGolden } from '../translate/golden.ts';
import { captureIo } from './cli-io.ts';

const FIXTURE = 'fixtures/class-params';
const config = { ...defaultTranslateConfig, clusterName: 'default' };

async function report(paths = [FIXTURE]) {
  const sources = await readSources(paths, captureIo());
  assert.ok(sources.ok);
  return planInventory(buildInventory(sources.documents), config, defaultPlanCore);
}

describe('albatross plan with IngressClassParams', () => {
  it('GIVEN params with every load-balancer field THEN they win over the Ingress and Service annotations', async () => {
    const { stacks, problems } = await report();
    // THEN one group, named by the params' group.name, not the Ingress's own group.name
    assert.deepEqual(
      stacks.map((s) => s.id),
      ['shared-edge'],
    );
    const [stack] = stacks;
    assert.ok(stack?.loadBalancer);
    const lb = stack.loadBalancer;
    assert.equal(lb.name, 'shared-edge');
    assert.equal(lb.scheme, 'internet-facing'); // the Ingress says internal
    assert.deepEqual(lb.subnets, { kind: 'listed', entries: ['subnet-0a1', 'subnet-0b2'] });
    // load-balancer-attributes merge key by key, the params' value winning
    assert.deepEqual(lb.attributes, {
      'idle_timeout.timeout_seconds': '120',
      'routing.http2.enabled': 'true',
    });
    // Tags: params > Ingress; ownership tags untouched
    assert.equal(lb.tags.env, 'prod');
    assert.equal(lb.tags.owner, 'team-a');
    assert.equal(lb.tags['cost-center'], 'platform');
    assert.equal(lb.tags['albatross.dev/stack'], 'shared-edge');
    const https = stack.listeners.find((l) => l.port === 443);
    assert.equal(https?.sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.deepEqual(https.certificates, [
      { certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/params-cert' },
    ]);
    const http = stack.listeners.find((l) => l.port === 80);
    assert.equal(http?.defaultActions[0]?.Type, 'redirect');
    // Target group: params target-type beats the Service's and the Ingress's 'instance';
    // tags params > Service > Ingress
    const [tg] = stack.targetGroups;
    assert.equal(tg?.targetType, 'ip');
    assert.equal(tg.tags.env, 'prod');
    assert.equal(tg.tags['service-tag'], 'kept');
    assert.equal(tg.tags.owner, 'team-a');
    assert.equal(tg.tags['albatross.dev/resource'], tg.id);
    // The managed security group admits the params' CIDRs only
    const cidrs = new Set(stack.securityGroups[0]?.ingress.map((r) => r.cidrIpv4));
    assert.deepEqual([...cidrs].sort(), ['10.0.0.0/8', '192.168.0.0/16']);
    assert.equal(problems.filter((p) => p.ingress === 'team-a/app').length, 0);
  });

  it('GIVEN an Ingress in a namespace the namespaceSelector does not select THEN it is a problem naming class, params and namespace, and adds nothing', async () => {
    const { stacks, problems } = await report();
    const [stack] = stacks;
    assert.deepEqual(stack?.frozenMembers, ['team-b/intruder']);
    const mine = problems.filter((p) => p.ingress === 'team-b/intruder');
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.severity, 'error');
    assert.equal(mine[0].field, 'IngressClassParams shared: spec.namespaceSelector');
    assert.equal(mine[0].value, 'team-b');
    assert.match(mine[0].message, /IngressClass shared/);
    assert.match(mine[0].message, /namespace team-b is not selected .*\(team=a\)/);
    // Its listen port 8080 and its 0.0.0.0/0 are not on the shared ALB
    assert.deepEqual(
      stack.listeners.map((l) => l.port),
      [80, 443],
    );
    assert.ok(!stack.securityGroups[0]?.ingress.some((r) => r.cidrIpv4 === '0.0.0.0/0'));
    assert.ok(!stack.rules.some((r) => r.member === 'team-b/intruder'));
  });

  it('GIVEN the fixture THEN the stack and plan match the goldens', async () => {
    const { stacks, changes, problems } = await report();
    assertGolden('class-params-stack', { stacks, problems });
    const io = captureIo();
    const code = await runPlan(['-f', FIXTURE, '--output', 'json'], io, defaultPlanCore);
    assert.equal(code, 1); // the namespaceSelector problem is an error
    assertGolden('class-params-plan', JSON.parse(io.out()));
    assert.equal(changes.length, 6);
  });

  it('GIVEN a class naming params that are not in the input THEN its Ingress is frozen with a problem on spec.parameters', async () => {
    const io = captureIo({
      stdin: `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: locked }
spec:
  controller: albatross.dev/alb
  parameters: { apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: gone }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: default }
spec:
  ingressClassName: locked
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`,
    });
    const code = await runPlan(['-f', '-', '--output', 'json'], io, defaultPlanCore);
    assert.equal(code, 1);
    const out = JSON.parse(io.out()) as {
      stacks: { loadBalancer: unknown }[];
      problems: { field: string; value: string; message: string; severity: string }[];
    };
    assert.equal(out.stacks[0]?.loadBalancer, null);
    assert.deepEqual(
      out.problems.filter((p) => p.severity === 'error').map((p) => [p.field, p.value]),
      [['IngressClass locked: spec.parameters', 'gone']],
    );
    assert.match(out.problems[0]?.message ?? '', /no such IngressClassParams exists/);
  });

  it('GIVEN params with a bad value THEN the problem names the params field, the value and what is allowed', async () => {
    const io = captureIo({
      stdin: `
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: { name: bad }
spec: { scheme: public, inboundCIDRs: [10.0.0.0/33] }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: bad }
spec:
  controller: albatross.dev/alb
  parameters: { apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: bad }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: default }
spec:
  ingressClassName: bad
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`,
    });
    const code = await runPlan(['-f', '-', '--output', 'json'], io, defaultPlanCore);
    assert.equal(code, 1);
    const out = JSON.parse(io.out()) as {
      problems: { field: string; value: string; message: string }[];
    };
    const byField = new Map(out.problems.map((p) => [p.field, p]));
    const scheme = byField.get('IngressClassParams bad: spec.scheme');
    assert.equal(scheme?.value, 'public');
    assert.match(scheme.message, /'internal', 'internet-facing'/);
    assert.equal(byField.get('IngressClassParams bad: spec.inboundCIDRs')?.value, '10.0.0.0/33');
  });
  it('GIVEN params for features added by other annotations (capacity, IPAM, prefix lists, listener attributes) THEN each reaches the stack through its annotation', async () => {
    const io = captureIo({
      stdin: `
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: { name: more }
spec:
  minimumLoadBalancerCapacity: { capacityUnits: 200 }
  ipamConfiguration: { ipv4IPAMPoolId: ipam-pool-0abc }
  prefixListsIDs: [pl-0a1]
  listeners:
    - protocol: HTTP
      port: 80
      listenerAttributes: [{ key: routing.http.response.server.enabled, value: 'false' }]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: more }
spec:
  controller: albatross.dev/alb
  parameters: { apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: more }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
  annotations:
    alb.ingress.kubernetes.io/minimum-load-balancer-capacity: CapacityUnits=100
    alb.ingress.kubernetes.io/listener-attributes.HTTP-80: routing.http.xff_header_processing.mode=append
spec:
  ingressClassName: more
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`,
    });
    const sources = await readSources(['-'], io);
    assert.ok(sources.ok);
    const { stacks } = planInventory(buildInventory(sources.documents), config, defaultPlanCore);
    const lb = stacks[0]?.loadBalancer;
    assert.equal(lb?.minimumCapacityUnits, 200); // the Ingress says 100
    assert.equal(lb.ipamIpv4PoolId, 'ipam-pool-0abc');
    assert.ok(stacks[0]?.securityGroups[0]?.ingress.some((r) => r.prefixListId === 'pl-0a1'));
    // Listener attributes merge key by key with the Ingress's
    assert.deepEqual(stacks[0]?.listeners[0]?.attributes, {
      'routing.http.response.server.enabled': 'false',
      'routing.http.xff_header_processing.mode': 'append',
    });
  });
});
