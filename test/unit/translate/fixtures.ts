/** Small builders for Kubernetes objects and groups in translate tests. */
import type {
  V1EndpointSlice,
  V1HTTPIngressPath,
  V1Ingress,
  V1IngressSpec,
  V1Node,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import type { GroupMember, IngressGroup } from '../../../pkg/ingress/group.ts';
import type { Env, TranslateConfig } from '../../../pkg/translate/index.ts';
import { defaultTranslateConfig } from '../../../pkg/translate/index.ts';

export const config: TranslateConfig = { ...defaultTranslateConfig, clusterName: 'test' };

export function ingress(
  key: string,
  spec: V1IngressSpec,
  annotations: Record<string, string> = {},
): V1Ingress {
  const [namespace = 'default', name = ''] = key.split('/');
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace, name, annotations },
    spec,
  };
}

export function path(
  p: string | undefined,
  service: string,
  port: number | string,
  pathType = 'Prefix',
): V1HTTPIngressPath {
  return {
    ...(p === undefined ? {} : { path: p }),
    pathType,
    backend: {
      service: {
        name: service,
        port: typeof port === 'number' ? { number: port } : { name: port },
      },
    },
  };
}

export function rule(
  host: string | undefined,
  ...paths: V1HTTPIngressPath[]
): NonNullable<V1IngressSpec['rules']>[number] {
  return { ...(host === undefined ? {} : { host }), http: { paths } };
}

export function service(
  key: string,
  ports: V1ServicePort[],
  type = 'NodePort',
  annotations: Record<string, string> = {},
): V1Service {
  const [namespace = 'default', name = ''] = key.split('/');
  return { metadata: { namespace, name, annotations }, spec: { type, ports } };
}

export function node(
  id: string,
  opts: { ready?: boolean; labels?: Record<string, string>; taint?: string } = {},
): V1Node {
  return {
    metadata: { name: id, labels: opts.labels ?? {} },
    spec: {
      providerID: `aws:///eu-west-1a/${id}`,
      ...(opts.taint === undefined ? {} : { taints: [{ key: opts.taint, effect: 'NoSchedule' }] }),
    },
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

export function slice(
  serviceName: string,
  port: number,
  ips: readonly [string, boolean][],
  portName?: string,
): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: { name: `${serviceName}-x`, labels: { 'kubernetes.io/service-name': serviceName } },
    ports: [{ port, ...(portName === undefined ? {} : { name: portName }) }],
    endpoints: ips.map(([ip, ready]) => ({ addresses: [ip], conditions: { ready } })),
  };
}

export function group(
  id: string,
  members: readonly (readonly [V1Ingress, number?])[],
): IngressGroup {
  const ms: GroupMember[] = members.map(([ing, order]) => ({
    key: `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`,
    ingress: ing,
    order: order ?? 0,
  }));
  return {
    key: id.includes('/')
      ? { kind: 'implicit', namespace: id.split('/')[0] ?? '', name: id.split('/')[1] ?? '' }
      : { kind: 'explicit', name: id },
    id,
    members: ms,
    inactiveMembers: [],
    problems: [],
  };
}

export function env(services: readonly V1Service[], extra: Partial<Env> = {}): Env {
  return {
    services: new Map(
      services.map((s) => [`${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`, s]),
    ),
    endpointSlices: undefined,
    nodes: undefined,
    ingressClasses: new Map(),
    subnets: undefined,
    ...extra,
  };
}
