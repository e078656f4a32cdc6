/**
 * The fault proxy (test/env/fault-proxy.ts) does what each kind says, against the real
 * emulator, as an SDK client with one attempt sees it: AWS's throttling and 5xx answers
 * per service, a reset without an answer, a slowed answer, and a lost write that really
 * took effect. Faults follow the rule's actions, switch at run time and repeat with a seed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { createAwsClients, type AwsClients } from '../../../pkg/aws/index.ts';
import { testCredentials } from '../../env/aws-clients.ts';
import { FaultProxy, type FaultKind } from '../../env/fault-proxy.ts';
import { useTestEnv } from '../../env/testenv.ts';

interface SdkFailure {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

async function failure(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (error) {
    return error as SdkFailure;
  }
  assert.fail('the call succeeded');
}

describe('the fault proxy', () => {
  const testEnv = useTestEnv();
  let proxy: FaultProxy;
  let aws: AwsClients;

  before(async () => {
    proxy = await FaultProxy.start({ target: testEnv.env.state.awsEndpoint, seed: 7 });
    aws = createAwsClients({
      region: testEnv.env.state.region,
      endpoint: proxy.endpoint,
      credentials: testCredentials,
      maxAttempts: 1,
    });
  });
  after(async () => {
    aws.destroy();
    await proxy.stop();
  });

  const only = (kind: FaultKind, actions?: readonly string[]): void => {
    proxy.inject({ rate: 1, kinds: [kind], slowMs: 400, ...(actions ? { actions } : {}) });
  };

  it('forwards every call untouched and records its service and action', async () => {
    proxy.clear();
    const from = proxy.calls().length;
    await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    await aws.ec2.send(new DescribeSecurityGroupsCommand({}));
    await aws.tagging.send(new GetResourcesCommand({}));
    assert.deepEqual(
      proxy
        .calls()
        .slice(from)
        .map((c) => `${c.service} ${c.action} ${c.fault ?? 'ok'}`),
      [
        'elasticloadbalancing DescribeTargetGroups ok',
        'ec2 DescribeSecurityGroups ok',
        'tagging GetResources ok',
      ],
    );
  });

  it("throttles as each service does: ELBv2 Throttling 400, EC2 RequestLimitExceeded 503, tagging's ThrottledException", async () => {
    only('throttle');
    const elb = await failure(aws.elbv2.send(new DescribeTargetGroupsCommand({})));
    assert.equal(elb.name, 'Throttling');
    assert.equal(elb.message, 'Rate exceeded');
    assert.equal(elb.$metadata?.httpStatusCode, 400);
    const ec2 = await failure(aws.ec2.send(new DescribeSecurityGroupsCommand({})));
    assert.equal(ec2.name, 'RequestLimitExceeded');
    assert.equal(ec2.$metadata?.httpStatusCode, 503);
    const tagging = await failure(aws.tagging.send(new GetResourcesCommand({})));
    assert.equal(tagging.name, 'ThrottledException');
    assert.equal(tagging.$metadata?.httpStatusCode, 400);
  });

  it("answers 5xx with the service's codes (InternalFailure 500 / ServiceUnavailable 503; EC2 InternalError / Unavailable)", async () => {
    only('5xx');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const elb = await failure(aws.elbv2.send(new DescribeTargetGroupsCommand({})));
      seen.add(`${elb.name ?? ''} ${String(elb.$metadata?.httpStatusCode)}`);
      const ec2 = await failure(aws.ec2.send(new DescribeSecurityGroupsCommand({})));
      seen.add(`${ec2.name ?? ''} ${String(ec2.$metadata?.httpStatusCode)}`);
    }
    assert.deepEqual([...seen].sort(), [
      'InternalError 500',
      'InternalFailure 500',
      'ServiceUnavailable 503',
      'Unavailable 503',
    ]);
  });

  it('resets the connection without answering, and nothing is done', async () => {
    only('reset');
    const name = 'fp-reset';
    const reset = await failure(aws.elbv2.send(createTg(name)));
    assert.match(`${reset.code ?? ''} ${reset.message ?? ''}`, /ECONNRESET|socket hang up/);
    proxy.clear();
    assert.equal(await tgArn(name), undefined, 'no target group was created');
  });

  it('slows an answer by the given delay and then answers', async () => {
    only('slow');
    const started = performance.now();
    await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.ok(performance.now() - started >= 390, 'the answer waited');
    assert.equal(proxy.calls().at(-1)?.fault, 'slow');
  });

  it('loses a write: the target group is created and the caller sees only a reset', async () => {
    only('lost-write');
    const name = 'fp-lost';
    // A read is never a lost write: it passes.
    await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.equal(proxy.calls().at(-1)?.fault, undefined);
    const lost = await failure(aws.elbv2.send(createTg(name)));
    assert.match(`${lost.code ?? ''} ${lost.message ?? ''}`, /ECONNRESET|socket hang up/);
    proxy.clear();
    const arn = await tgArn(name);
    assert.ok(arn !== undefined, 'the lost CreateTargetGroup created it');
    assert.deepEqual(proxy.summary().lostWrites, { CreateTargetGroup: 1 });
    await testEnv.env.aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
  });

  it('fails only the actions a rule names, and stops when cleared', async () => {
    only('throttle', ['CreateTargetGroup']);
    await aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    assert.equal((await failure(aws.elbv2.send(createTg('fp-only')))).name, 'Throttling');
    proxy.clear();
    await aws.elbv2.send(createTg('fp-only'));
    const arn = await tgArn('fp-only');
    assert.ok(arn !== undefined);
    await aws.elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
  });

  it('injects the same faults for the same seed and calls, about the rate asked', async () => {
    const run = async (): Promise<string> => {
      proxy.reseed(99);
      proxy.inject({ rate: 0.3, kinds: ['throttle', '5xx'] });
      const from = proxy.calls().length;
      for (let i = 0; i < 40; i++) {
        await aws.elbv2.send(new DescribeTargetGroupsCommand({})).catch(() => undefined);
      }
      proxy.clear();
      return proxy
        .calls()
        .slice(from)
        .map((c) => c.fault ?? '-')
        .join(',');
    };
    const first = await run();
    assert.equal(await run(), first);
    const hits = first.split(',').filter((f) => f !== '-').length;
    assert.ok(hits >= 4 && hits <= 20, `${String(hits)} of 40 calls failed at rate 0.3`);
  });

  function createTg(name: string): CreateTargetGroupCommand {
    return new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: testEnv.env.world.vpcId,
      TargetType: 'instance',
    });
  }

  async function tgArn(name: string): Promise<string | undefined> {
    const res = await testEnv.env.aws.elbv2.send(new DescribeTargetGroupsCommand({}));
    return res.TargetGroups?.find((t) => t.TargetGroupName === name)?.TargetGroupArn;
  }
});
