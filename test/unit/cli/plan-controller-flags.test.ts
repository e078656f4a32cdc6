/**
 * `albatross plan` takes the controller's flags that change what it builds, read by the
 * controller's own reader: the same flags give the same stack, a bad value the same error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseControllerConfig } from '../../../controller/config.ts';
import {
  buildInventory,
  parseManifests,
  parsePlanArgs,
  planInventory,
  renderPlanJson,
  runPlan,
} from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';

const manifests = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: edge
spec:
  controller: example.com/alb
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations:
    alb.ingress.kubernetes.io/listen-ports: '[{"HTTPS":443}]'
    alb.ingress.kubernetes.io/certificate-arn: arn:aws:acm:eu-west-1:123456789012:certificate/abc
    alb.ingress.kubernetes.io/shield-advanced-protection: 'true'
spec:
  ingressClassName: edge
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: 8080
`;

const flags = [
  '--cluster-name',
  'prod',
  '--controller-name',
  'example.com/alb',
  '--ingress-class',
  'edge',
  '--default-scheme',
  'internet-facing',
  '--default-target-type',
  'ip',
  '--default-tags',
  'team=web,env=prod',
  '--external-managed-tags',
  'CostCenter',
  '--default-ssl-policy',
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  '--rule-order',
  'reference',
  '--enable-shield=false',
  '--node-port-range',
  '20000-22767',
];

function controllerConfig(argv: readonly string[]) {
  const parsed = parseControllerConfig([...argv, '--aws-region', 'eu-west-1'], {});
  assert.equal(parsed.kind, 'ok', parsed.kind === 'usage-error' ? parsed.message : '');
  return parsed.options;
}

interface Stack {
  loadBalancer: { scheme: string; tags: Record<string, string> };
  listeners: { sslPolicy?: string }[];
  targetGroups: { targetType: string }[];
  addons?: unknown;
}

describe('albatross plan with the controller flags', () => {
  it("GIVEN the controller's defaults as flags THEN plan reads the controller's settings and plans the stack the controller's translate builds", async () => {
    const plan = parsePlanArgs('plan', ['-f', '-', ...flags], false);
    assert.equal(plan.kind, 'ok', plan.kind === 'usage-error' ? plan.message : '');
    const { translate: controller, nodePortRange } = controllerConfig(flags);
    assert.deepEqual(plan.options.translate, controller);
    assert.deepEqual(plan.options.nodePortRange, nodePortRange);

    const io = captureIo({ stdin: manifests });
    const code = await runPlan(['-f', '-', '-o', 'json', ...flags], io, defaultPlanCore);
    assert.equal(code, 0, io.out());
    const parsed = parseManifests(manifests, 'm.yaml');
    assert.ok(parsed.ok);
    const expected = renderPlanJson(
      planInventory(buildInventory(parsed.documents), controller, defaultPlanCore, nodePortRange),
    );
    assert.equal(io.out(), expected);

    const [stack] = (JSON.parse(io.out()) as { stacks: Stack[] }).stacks;
    assert.equal(stack?.loadBalancer.scheme, 'internet-facing');
    assert.equal(stack.loadBalancer.tags.team, 'web');
    assert.equal(stack.loadBalancer.tags['albatross.dev/cluster'], 'prod');
    assert.equal(stack.listeners[0]?.sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06');
    assert.equal(stack.targetGroups[0]?.targetType, 'ip');
    assert.equal(stack.addons, undefined, '--enable-shield=false leaves Shield alone');
  });

  const bad: readonly (readonly string[])[] = [
    ['--default-scheme', 'public'],
    ['--default-target-type', 'pod'],
    ['--default-tags', 'albatross.dev/stack=x'],
    ['--default-tags', 'CostCenter=1', '--external-managed-tags', 'CostCenter'],
    ['--external-managed-tags', ','],
    ['--default-ssl-policy', 'no spaces'],
    ['--ingress-class', 'Edge'],
    ['--enable-waf=maybe'],
    ['--node-port-range', '3-2'],
  ];
  for (const argv of bad) {
    it(`GIVEN ${argv.join(' ')} THEN plan refuses it naming the flag, with the controller's own message`, () => {
      const plan = parsePlanArgs('plan', ['-f', 'x', ...argv], false);
      const controller = parseControllerConfig(
        [...argv, '--cluster-name', 'c', '--aws-region', 'eu-west-1'],
        {},
      );
      assert.equal(plan.kind, 'usage-error');
      assert.equal(controller.kind, 'usage-error');
      const flagName = argv[argv.length - 2]?.startsWith('--')
        ? argv[argv.length - 2]
        : argv[0]?.split('=')[0];
      assert.ok(plan.message.includes(flagName ?? '?'), plan.message);
      const core = controller.message.replace(/^albatross controller: /, '');
      assert.equal(plan.message, `albatross plan: ${core} (see albatross plan --help)`);
    });
  }
});
