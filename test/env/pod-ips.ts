/**
 * Pod IPs that look like the VPC CNI's: each is the primary address of a network
 * interface in a private subnet, in the node security group, tagged as the cluster's.
 * ip-mode tests use them in EndpointSlices so that the controller can find the pods'
 * security group from their IPs, as it does on EKS. Gone at the next emulator reset.
 */
import { CreateNetworkInterfaceCommand } from '@aws-sdk/client-ec2';
import type { TestEnv } from './testenv.ts';

export async function allocatePodIps(env: TestEnv, count: number): Promise<string[]> {
  const { world } = env;
  const ips: string[] = [];
  for (let i = 0; i < count; i++) {
    const subnet = world.privateSubnetIds[i % world.privateSubnetIds.length];
    const eni = await env.aws.ec2.send(
      new CreateNetworkInterfaceCommand({
        SubnetId: subnet,
        Groups: [world.nodeSecurityGroupId],
        Description: `pod eni ${i}`,
        TagSpecifications: [
          {
            ResourceType: 'network-interface',
            Tags: [{ Key: `kubernetes.io/cluster/${env.clusterName}`, Value: 'owned' }],
          },
        ],
      }),
    );
    const ip = eni.NetworkInterface?.PrivateIpAddress;
    if (ip === undefined)
      throw new Error('emulator returned a network interface without an address');
    ips.push(ip);
  }
  return ips;
}
