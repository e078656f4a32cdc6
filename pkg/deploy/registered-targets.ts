/**
 * The targets registered in one target group now, for the paths that sync targets
 * without discovering a stack (targets-only reconcile, TargetGroupBinding): one
 * DescribeTargetHealth per target group.
 * Draining targets are already on their way out and count as absent, as discovery does.
 */
import { DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { toAwsError } from '../aws/index.ts';
import type { AwsClients } from '../aws/index.ts';
import type { Target } from '../model/index.ts';

export async function registeredTargets(
  clients: AwsClients,
  targetGroupArn: string,
  signal?: AbortSignal,
): Promise<Target[]> {
  const out = await clients.elbv2
    .send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
      signal === undefined ? {} : { abortSignal: signal },
    )
    .catch((err: unknown) => {
      throw toAwsError('DescribeTargetHealth', err);
    });
  const targets: Target[] = [];
  for (const d of out.TargetHealthDescriptions ?? []) {
    if (d.TargetHealth?.State === 'draining') continue;
    const id = d.Target?.Id;
    const port = d.Target?.Port;
    if (id !== undefined && port !== undefined) targets.push({ id, port });
  }
  return targets;
}
