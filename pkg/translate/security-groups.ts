/**
 * The managed frontend security group (one TCP rule per listen port × CIDR or prefix list) and the
 * backend access rules that let the cluster's shared backend group reach the targets.
 */
import type { Cidr } from '../annotations/index.ts';
import type {
  BackendAccessRule,
  IpAddressType,
  SecurityGroup,
  SecurityGroupIngress,
  TargetGroup,
  Tags,
} from '../model/index.ts';
import {
  backendRuleId,
  FRONTEND_SECURITY_GROUP_ID,
  resourceTags,
  securityGroupName,
} from '../naming/index.ts';
import type { Env, TranslateConfig } from './env.ts';

export function defaultCidrs(ipAddressType: IpAddressType): readonly Cidr[] {
  const v4: Cidr = { cidr: '0.0.0.0/0', family: 'ipv4' };
  const v6: Cidr = { cidr: '::/0', family: 'ipv6' };
  return ipAddressType === 'ipv4' ? [v4] : [v4, v6];
}

export function frontendSecurityGroup(
  groupId: string,
  ports: readonly number[],
  cidrs: readonly Cidr[],
  config: TranslateConfig,
  userTags: Tags | undefined,
  prefixLists: readonly string[] = [],
): SecurityGroup {
  const ingress: SecurityGroupIngress[] = [];
  for (const port of ports) {
    for (const c of cidrs) {
      ingress.push({
        protocol: 'tcp',
        fromPort: port,
        toPort: port,
        ...(c.family === 'ipv4' ? { cidrIpv4: c.cidr } : { cidrIpv6: c.cidr }),
      });
    }
    for (const prefixListId of prefixLists) {
      ingress.push({ protocol: 'tcp', fromPort: port, toPort: port, prefixListId });
    }
  }
  return {
    id: FRONTEND_SECURITY_GROUP_ID,
    name: securityGroupName(config.clusterName, groupId),
    description: `[albatross] frontend of the ALB of ${groupId}`,
    ingress,
    tags: resourceTags(
      { cluster: config.clusterName, stack: groupId, resource: FRONTEND_SECURITY_GROUP_ID },
      config.defaultTags,
      userTags,
    ),
  };
}

/** Port 1 is the placeholder of an unknown port (unallocated NodePort, named target port). */
function trafficPorts(tg: TargetGroup): readonly number[] {
  if (tg.targetType === 'ip' && tg.targets !== null && tg.targets.length > 0) {
    return [...new Set(tg.targets.map((t) => t.port))].sort((a, b) => a - b);
  }
  return tg.port === 1 ? [] : [tg.port];
}

export function backendAccessRules(
  targetGroups: readonly TargetGroup[],
  env: Env,
): readonly BackendAccessRule[] {
  const out: BackendAccessRule[] = [];
  for (const tg of targetGroups) {
    const ports = new Set(trafficPorts(tg));
    if (/^[0-9]+$/.test(tg.healthCheck.port)) ports.add(Number(tg.healthCheck.port));
    let groups: readonly (string | null)[] = [null];
    if (
      tg.targetType === 'instance' &&
      tg.targets !== null &&
      env.nodeSecurityGroups !== undefined
    ) {
      const known = tg.targets.map((t) => env.nodeSecurityGroups?.get(t.id));
      if (known.length > 0 && known.every((g) => g !== undefined)) {
        groups = [...new Set(known)].sort();
      }
    }
    for (const port of [...ports].sort((a, b) => a - b)) {
      for (const sg of groups) {
        out.push({
          id: backendRuleId(tg.id, port, port, sg),
          targetGroupId: tg.id,
          securityGroupId: sg,
          fromPort: port,
          toPort: port,
        });
      }
    }
  }
  return out;
}
