/** An Ingress group and the world around it, for tests that start from buildStack. */
import type { V1Ingress, V1Node, V1Service } from '@kubernetes/client-node';
import type { IngressGroup } from '../../../pkg/ingress/group.ts';
import type { Env, Subnet } from '../../../pkg/translate/index.ts';
import type { TestEnv } from '../../env/testenv.ts';

/** Ingress `shop/web` routing each `[path, service]` (Prefix, port 80), on `listenPorts`. */
export function shopIngress(
  paths: readonly [string, string][],
  listenPorts = '[{"HTTP": 80}, {"HTTP": 8080}]',
): V1Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      namespace: 'shop',
      name: 'web',
      annotations: { 'alb.ingress.kubernetes.io/listen-ports': listenPorts },
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          http: {
            paths: paths.map(([path, service]) => ({
              path,
              pathType: 'Prefix',
              backend: { service: { name: service, port: { number: 80 } } },
            })),
          },
        },
      ],
    },
  };
}

/** The implicit group of one Ingress. */
export function group(ingress: V1Ingress): IngressGroup {
  return {
    key: { kind: 'implicit', namespace: 'shop', name: 'web' },
    id: 'shop/web',
    members: [{ key: 'shop/web', ingress, order: 0 }],
    inactiveMembers: [],
    problems: [],
  };
}

function service(name: string, nodePort: number): V1Service {
  return {
    metadata: { namespace: 'shop', name },
    spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort, protocol: 'TCP' }] },
  };
}

/** The test world as buildStack sees it: Services `shop/api` and `shop/web`, nodes, subnets. */
export function worldEnv(env: TestEnv): Env {
  const cluster = `kubernetes.io/cluster/${env.clusterName}`;
  const subnets: Subnet[] = [
    ...env.world.publicSubnetIds.map((subnetId, i) => ({
      subnetId,
      availabilityZone: `us-east-1${'abc'[i] ?? 'a'}`,
      vpcId: env.world.vpcId,
      availableIpAddressCount: 4000,
      tags: { 'kubernetes.io/role/elb': '1', [cluster]: 'shared' },
    })),
    ...env.world.privateSubnetIds.map((subnetId, i) => ({
      subnetId,
      availabilityZone: `us-east-1${'abc'[i] ?? 'a'}`,
      vpcId: env.world.vpcId,
      availableIpAddressCount: 4000,
      tags: { 'kubernetes.io/role/internal-elb': '1', [cluster]: 'shared' },
    })),
  ];
  const nodes: V1Node[] = env.world.nodes.map((n) => ({
    metadata: { name: n.name, labels: { 'topology.kubernetes.io/zone': n.zone } },
    spec: { providerID: `aws:///${n.zone}/${n.instanceId}` },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return {
    services: new Map([
      ['shop/api', service('api', 30080)],
      ['shop/web', service('web', 30081)],
    ]),
    endpointSlices: new Map(),
    nodes,
    ingressClasses: new Map([
      ['alb', { metadata: { name: 'alb' }, spec: { controller: 'albatross.dev/alb' } }],
    ]),
    subnets,
  };
}
