/**
 * `albatross plan` (offline, no subnets known) with IngressClassParams `subnets.tags`:
 * the ALB's subnets stay an unresolved tag selection, shown as such, in place of the
 * Ingress's own `subnets` annotation.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { assertGolden } from '../translate/golden.ts';
import { captureIo } from './cli-io.ts';

const MANIFESTS = `
apiVersion: elbv2.k8s.aws/v1beta1
kind: IngressClassParams
metadata: { name: tagged }
spec:
  subnets:
    tags: { tier: [public, edge], team: [a] }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: { name: tagged }
spec:
  controller: albatross.dev/alb
  parameters: { apiGroup: elbv2.k8s.aws, kind: IngressClassParams, name: tagged }
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: default
  annotations:
    alb.ingress.kubernetes.io/subnets: subnet-0a1,subnet-0b2
spec:
  ingressClassName: tagged
  defaultBackend: { service: { name: web, port: { number: 80 } } }
`;

describe('albatross plan with IngressClassParams subnets.tags', () => {
  it('GIVEN params selecting subnets by tags THEN the plan shows the unresolved tag selection, not the annotation', async () => {
    const io = captureIo({ stdin: MANIFESTS });
    const code = await runPlan(['-f', '-', '--output', 'json'], io, defaultPlanCore);
    assert.equal(code, 0, io.err());
    const out = JSON.parse(io.out()) as { stacks: { loadBalancer: { subnets: unknown } }[] };
    assert.deepEqual(out.stacks[0]?.loadBalancer.subnets, {
      kind: 'tagged',
      tags: { tier: ['public', 'edge'], team: ['a'] },
    });
    assertGolden('class-params-subnet-tags-plan', out);
  });

  it('GIVEN the text output THEN it reads "subnets: tagged k=v1|v2"', async () => {
    const io = captureIo({ stdin: MANIFESTS });
    const code = await runPlan(['-f', '-', '--output', 'text'], io, defaultPlanCore);
    assert.equal(code, 0, io.err());
    assert.match(io.out(), /subnets: tagged team=a, tier=public\|edge \(resolved at apply\)/);
    assert.doesNotMatch(io.out(), /subnet-0a1/);
  });
});
