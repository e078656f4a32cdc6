/**
 * When `--aws-vpc-id` is not given, the VPC is the one the cluster's nodes run in: read
 * from the instance behind the first Node with an AWS providerID. One list of Nodes and
 * one DescribeInstances, once at start-up.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { AwsClients } from '../pkg/aws/index.ts';
import { instanceIdOf } from '../pkg/translate/index.ts';

export async function vpcFromNodes(kc: KubeConfig, aws: AwsClients): Promise<string> {
  const nodes = await kc.makeApiClient(CoreV1Api).listNode({ limit: 50 });
  const instanceIds = nodes.items
    .map((n) => instanceIdOf(n.spec?.providerID))
    .filter((id): id is string => id !== undefined)
    .slice(0, 5);
  if (instanceIds.length === 0) {
    throw new Error(
      'cannot find the VPC: no Node has an AWS providerID (aws:///zone/i-...); set --aws-vpc-id',
    );
  }
  const found = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const vpcId = found.Reservations?.flatMap((r) => r.Instances ?? []).find(
    (i) => i.VpcId !== undefined,
  )?.VpcId;
  if (vpcId === undefined) {
    throw new Error(
      `cannot find the VPC: instances ${instanceIds.join(', ')} report none; set --aws-vpc-id`,
    );
  }
  return vpcId;
}
