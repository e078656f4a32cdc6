/**
 * The seeded world: what a small EKS cluster looks like from AWS and from the API
 * server. A VPC across three AZs, public subnets tagged for internet-facing ALBs and
 * private ones for internal ALBs (both shared with the cluster), a node security group
 * owned by the cluster, one EC2 instance per AZ standing for a node, and the matching
 * Node objects and default IngressClass.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { CoreV1Api, NetworkingV1Api, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { AwsClients } from './aws-clients.ts';

export const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

export interface SeededNode {
  readonly name: string;
  readonly instanceId: string;
  readonly zone: string;
  readonly privateIp: string;
}

export interface World {
  readonly clusterName: string;
  readonly vpcId: string;
  readonly publicSubnetIds: readonly string[];
  readonly privateSubnetIds: readonly string[];
  readonly nodeSecurityGroupId: string;
  readonly nodes: readonly SeededNode[];
}

const tagList = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`emulator returned no ${what}`);
  return value;
}

/** Creates the AWS side. Call after a reset; with a seeded emulator the ids repeat. */
export async function seedAws(
  clients: AwsClients,
  clusterName: string,
): Promise<Omit<World, 'nodes'> & { instances: SeededNode[] }> {
  const { ec2 } = clients;
  const clusterTag = `kubernetes.io/cluster/${clusterName}`;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = must(vpc.Vpc?.VpcId, 'VpcId');
  await ec2.send(
    new CreateTagsCommand({ Resources: [vpcId], Tags: tagList({ Name: `${clusterName}-vpc` }) }),
  );

  const publicSubnetIds: string[] = [];
  const privateSubnetIds: string[] = [];
  for (const [i, zone] of zones.entries()) {
    const pub = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.0.${i * 16}.0/20`,
        AvailabilityZone: zone,
        TagSpecifications: [
          {
            ResourceType: 'subnet',
            Tags: tagList({
              Name: `${clusterName}-public-${zone}`,
              'kubernetes.io/role/elb': '1',
              [clusterTag]: 'shared',
            }),
          },
        ],
      }),
    );
    publicSubnetIds.push(must(pub.Subnet?.SubnetId, 'SubnetId'));
    const priv = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.0.${128 + i * 16}.0/20`,
        AvailabilityZone: zone,
        TagSpecifications: [
          {
            ResourceType: 'subnet',
            Tags: tagList({
              Name: `${clusterName}-private-${zone}`,
              'kubernetes.io/role/internal-elb': '1',
              [clusterTag]: 'shared',
            }),
          },
        ],
      }),
    );
    privateSubnetIds.push(must(priv.Subnet?.SubnetId, 'SubnetId'));
  }

  const sg = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: `${clusterName}-node`,
      Description: 'EKS nodes',
      TagSpecifications: [
        { ResourceType: 'security-group', Tags: tagList({ [clusterTag]: 'owned' }) },
      ],
    }),
  );
  const nodeSecurityGroupId = must(sg.GroupId, 'GroupId');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: nodeSecurityGroupId,
      IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: nodeSecurityGroupId }] }],
    }),
  );

  const instances: SeededNode[] = [];
  for (const [i, zone] of zones.entries()) {
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        InstanceType: 'm5.large',
        MinCount: 1,
        MaxCount: 1,
        SubnetId: privateSubnetIds[i],
        SecurityGroupIds: [nodeSecurityGroupId],
        TagSpecifications: [{ ResourceType: 'instance', Tags: tagList({ [clusterTag]: 'owned' }) }],
      }),
    );
    const instance = must(run.Instances?.[0], 'instance');
    const privateIp = must(instance.PrivateIpAddress, 'PrivateIpAddress');
    instances.push({
      name: `ip-${privateIp.replaceAll('.', '-')}.ec2.internal`,
      instanceId: must(instance.InstanceId, 'InstanceId'),
      zone,
      privateIp,
    });
  }
  return { clusterName, vpcId, publicSubnetIds, privateSubnetIds, nodeSecurityGroupId, instances };
}

export const ingressClassName = 'alb';
export const controllerName = 'albatross.dev/alb';

/**
 * Makes the cluster's Nodes equal to `nodes` (Ready, with providerIDs of the seeded
 * instances) and ensures the default IngressClass exists.
 */
export async function seedKubernetes(kc: KubeConfig, nodes: readonly SeededNode[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const wanted = new Set(nodes.map((n) => n.name));
  const existing = await core.listNode();
  for (const node of existing.items) {
    const name = node.metadata?.name;
    if (name !== undefined && !wanted.has(name)) await core.deleteNode({ name });
  }
  const have = new Set(existing.items.map((n) => n.metadata?.name));
  for (const n of nodes) {
    if (have.has(n.name)) {
      const current = await core.readNode({ name: n.name });
      if (current.spec?.providerID === `aws:///${n.zone}/${n.instanceId}`) continue;
      await core.deleteNode({ name: n.name });
    }
    const metadata = {
      name: n.name,
      labels: {
        'kubernetes.io/hostname': n.name,
        'topology.kubernetes.io/zone': n.zone,
        'node.kubernetes.io/instance-type': 'm5.large',
      },
    };
    const spec = { providerID: `aws:///${n.zone}/${n.instanceId}` };
    await core.createNode({ body: { metadata, spec } });
    const status: V1Node = {
      metadata,
      spec,
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: new Date(),
            lastTransitionTime: new Date(),
          },
        ],
        addresses: [
          { type: 'InternalIP', address: n.privateIp },
          { type: 'Hostname', address: n.name },
        ],
      },
    };
    await core.replaceNodeStatus({ name: n.name, body: status });
  }

  const classes = await net.listIngressClass();
  if (!classes.items.some((c) => c.metadata?.name === ingressClassName)) {
    await net.createIngressClass({
      body: {
        metadata: {
          name: ingressClassName,
          annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
        },
        spec: { controller: controllerName },
      },
    });
  }
}
