/** SDK clients pointed at the emulator, as the controller's would be. */
import { ACMClient } from '@aws-sdk/client-acm';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { ShieldClient } from '@aws-sdk/client-shield';
import { WAFV2Client } from '@aws-sdk/client-wafv2';

export const testRegion = 'us-east-1';
export const testCredentials = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export interface AwsClients {
  readonly ec2: EC2Client;
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly tagging: ResourceGroupsTaggingAPIClient;
  readonly acm: ACMClient;
  readonly wafv2: WAFV2Client;
  readonly shield: ShieldClient;
}

export function awsClients(endpoint: string, region = testRegion): AwsClients {
  const config = { endpoint, region, credentials: testCredentials, maxAttempts: 2 };
  return {
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
    tagging: new ResourceGroupsTaggingAPIClient(config),
    acm: new ACMClient(config),
    wafv2: new WAFV2Client(config),
    shield: new ShieldClient(config),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.ec2.destroy();
  clients.elbv2.destroy();
  clients.tagging.destroy();
  clients.acm.destroy();
  clients.wafv2.destroy();
  clients.shield.destroy();
}
