/**
 * Annotations of aws-load-balancer-controller that Albatross does not implement are never
 * ignored in silence: the plan says so on the Ingress, naming the annotation and value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPlan } from '../../../pkg/cli/index.ts';
import { defaultPlanCore } from '../../../pkg/cli/core.ts';
import { captureIo } from './cli-io.ts';
import { webManifests } from './web-manifests.ts';

interface Report {
  stacks: { frozenMembers?: string[]; loadBalancer: unknown; addons?: unknown }[];
  problems: { ingress: string; field: string; value: string; message: string; severity: string }[];
}

async function plan(annotations: string) {
  const io = captureIo({ stdin: webManifests(annotations) });
  const code = await runPlan(['-f', '-', '-o', 'json'], io, defaultPlanCore);
  return { code, report: JSON.parse(io.out()) as Report };
}

describe('albatross plan on annotations Albatross does not implement', () => {
  it('GIVEN enable-frontend-nlb "true" THEN an error names it and its value, says frontend NLBs are not built, and the Ingress is frozen (nothing built)', async () => {
    const { code, report } = await plan(
      [
        "    alb.ingress.kubernetes.io/enable-frontend-nlb: 'true'",
        '    alb.ingress.kubernetes.io/frontend-nlb-scheme: internet-facing',
      ].join('\n'),
    );
    assert.equal(code, 1);
    assert.deepEqual(report.stacks[0]?.frozenMembers, ['default/web']);
    assert.equal(report.stacks[0].loadBalancer, null);
    const [problem, ...rest] = report.problems;
    assert.deepEqual(rest, []);
    assert.deepEqual(
      [problem?.ingress, problem?.field, problem?.value, problem?.severity],
      ['default/web', 'alb.ingress.kubernetes.io/enable-frontend-nlb', 'true', 'error'],
    );
    assert.match(problem?.message ?? '', /does not build frontend NLBs/);
  });

  it('GIVEN frontend-nlb-* annotations without enable-frontend-nlb THEN the ALB is built and a warning says each has no effect', async () => {
    const { code, report } = await plan(
      "    alb.ingress.kubernetes.io/enable-frontend-nlb: 'false'\n    alb.ingress.kubernetes.io/frontend-nlb-scheme: internet-facing",
    );
    assert.equal(code, 0);
    assert.notEqual(report.stacks[0]?.loadBalancer, null);
    assert.deepEqual(
      report.problems.map((p) => [p.field, p.value, p.severity]),
      [['alb.ingress.kubernetes.io/frontend-nlb-scheme', 'internet-facing', 'warning']],
    );
    assert.match(report.problems[0]?.message ?? '', /has no effect/);
  });

  it('GIVEN enable-frontend-nlb with a value that is not a boolean THEN an error names what is allowed', async () => {
    const { code, report } = await plan(
      '    alb.ingress.kubernetes.io/enable-frontend-nlb: yes-please',
    );
    assert.equal(code, 1);
    assert.deepEqual(
      report.problems.map((p) => [p.field, p.value, p.message]),
      [
        [
          'alb.ingress.kubernetes.io/enable-frontend-nlb',
          'yes-please',
          "must be 'true' or 'false'",
        ],
      ],
    );
  });

  it('GIVEN create-acm-cert "true" THEN an error says certificates are not created and what to do instead', async () => {
    const { code, report } = await plan("    alb.ingress.kubernetes.io/create-acm-cert: 'true'");
    assert.equal(code, 1);
    assert.equal(report.problems[0]?.field, 'alb.ingress.kubernetes.io/create-acm-cert');
    assert.match(report.problems[0].message, /does not create certificates.*certificate-arn/);
  });

  it('GIVEN the deprecated web-acl-id THEN it is read as waf-acl-id, as the reference reads it', async () => {
    const { code, report } = await plan('    alb.ingress.kubernetes.io/web-acl-id: legacy-acl-1');
    assert.equal(code, 0);
    assert.deepEqual(report.stacks[0]?.addons, { wafRegional: 'legacy-acl-1' });
  });
});
