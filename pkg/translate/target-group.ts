/**
 * One target group per (member, Service, port). Settings: the class's IngressClassParams,
 * else the Service's annotation, else the Ingress's, else the default; tags merge in the
 * same order (params highest, ownership tags above all).
 */
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import {
  albAnnotation,
  readTargetControlPort,
  readTargetGroupAnnotations,
} from '../annotations/index.ts';
import type {
  AnnotationError,
  AnnotationMap,
  ClassParams,
  HealthCheckPort,
} from '../annotations/index.ts';
import type { HealthCheck, Problem, TargetGroup, TargetType } from '../model/index.ts';
import { resourceTags, targetGroupId, targetGroupName } from '../naming/index.ts';
import type { Env, TranslateConfig } from './env.ts';
import { externalTagProblems, withoutExternalTags } from './external-tags.ts';
import { problem } from './problems.ts';
import { gateConditionType } from './readiness-gates.ts';
import { instanceTargets, ipTargets } from './targets.ts';

export interface TargetGroupInput {
  readonly groupId: string;
  readonly member: string;
  readonly ingressAnnotations: AnnotationMap | undefined;
  readonly params?: ClassParams | undefined;
  readonly service: V1Service;
  readonly serviceKey: string;
  readonly servicePort: V1ServicePort;
  /** The port as the Ingress wrote it (number or name): part of the id. */
  readonly portRef: string | number;
  /** The Ingress field that named this backend, for problems. */
  readonly field: string;
}

function numericTargetPort(p: V1ServicePort): number | undefined {
  const t = p.targetPort;
  if (typeof t === 'number') return t;
  if (typeof t === 'string' && /^[0-9]+$/.test(t)) return Number(t);
  if (t === undefined) return p.port;
  return undefined;
}

/**
 * The health-check port: `traffic-port`, a number, or a Service port name resolved to
 * what the targets listen on (NodePort in instance mode, target port in ip mode).
 */
function healthCheckPort(
  hc: HealthCheckPort | undefined,
  service: V1Service,
  targetType: TargetType,
): { readonly port: string } | { readonly error: string } {
  if (hc === undefined || hc.kind === 'traffic-port') return { port: 'traffic-port' };
  if (hc.kind === 'number') return { port: String(hc.port) };
  const sp = (service.spec?.ports ?? []).find((p) => p.name === hc.name);
  const resolved =
    sp === undefined ? undefined : targetType === 'instance' ? sp.nodePort : numericTargetPort(sp);
  if (resolved === undefined) {
    return {
      error: `names port '${hc.name}', which the Service does not have as a ${targetType === 'instance' ? 'NodePort' : 'numeric target port'}`,
    };
  }
  return { port: String(resolved) };
}

/**
 * The Service's primary IP family decides the target group's (`spec.ipFamilies[0]`, the
 * family of its first cluster IP): an IPv6 Service gets an `ipv6` target group fed from
 * its IPv6 EndpointSlices. A dual-stack Service keeps the family it lists first, so one
 * that serves today through an `ipv4` target group is not replaced. (The reference
 * controller takes `ipv6` when any family is IPv6; see docs/decisions/0010.)
 */
export function serviceIpFamily(service: V1Service): 'ipv4' | 'ipv6' {
  return service.spec?.ipFamilies?.[0] === 'IPv6' ? 'ipv6' : 'ipv4';
}

export function buildTargetGroup(
  input: TargetGroupInput,
  env: Env,
  config: TranslateConfig,
): { readonly targetGroup: TargetGroup | undefined; readonly problems: readonly Problem[] } {
  const { member, service, servicePort } = input;
  const problems: Problem[] = [];
  const params = input.params;
  const serviceAnnotations = service.metadata?.annotations;
  const read = readTargetGroupAnnotations(
    input.ingressAnnotations,
    params === undefined
      ? serviceAnnotations
      : { ...serviceAnnotations, ...params.serviceAnnotations },
    input.serviceKey,
  );
  for (const e of read.errors) problems.push(problem(member, e.field, e.value, e.message));
  const controlErrors: AnnotationError[] = [];
  const targetControlPort = readTargetControlPort(
    input.ingressAnnotations,
    service.metadata?.name ?? '',
    input.portRef,
    controlErrors,
  );
  for (const e of controlErrors) problems.push(problem(member, e.field, e.value, e.message));
  const s =
    params?.tags === undefined
      ? read.value
      : { ...read.value, tags: { ...read.value.tags, ...params.tags } };
  const targetType = s.targetType ?? config.defaultTargetType;
  const protocol = s.backendProtocol ?? 'HTTP';
  const protocolVersion = s.backendProtocolVersion ?? 'HTTP1';
  const grpc = protocolVersion === 'GRPC';

  if (targetType === 'instance') {
    const type = service.spec?.type ?? 'ClusterIP';
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      problems.push(
        problem(
          member,
          albAnnotation('target-type'),
          'instance',
          `Service ${input.serviceKey} is of type ${type}; instance targets need a NodePort or LoadBalancer Service: change the Service type or use target-type ip`,
        ),
      );
    }
  }
  const ipAddressType = serviceIpFamily(service);
  if (ipAddressType === 'ipv6' && targetType === 'instance') {
    problems.push(
      problem(
        member,
        albAnnotation('target-type'),
        'instance',
        `Service ${input.serviceKey} is IPv6 (spec.ipFamilies ${(service.spec?.ipFamilies ?? []).join(',')}); an ALB reaches IPv6 backends only as IP targets: use target-type ip`,
      ),
    );
  }
  const hcPort = healthCheckPort(s.healthCheckPort, service, targetType);
  if ('error' in hcPort) {
    const raw = s.healthCheckPort?.kind === 'name' ? s.healthCheckPort.name : '';
    problems.push(problem(member, albAnnotation('healthcheck-port'), raw, hcPort.error));
  }
  const interval = s.healthCheckIntervalSeconds ?? 15;
  const timeout = s.healthCheckTimeoutSeconds ?? 5;
  if (timeout >= interval) {
    problems.push(
      problem(
        member,
        albAnnotation('healthcheck-timeout-seconds'),
        String(timeout),
        `must be less than the health-check interval (${interval} seconds)`,
      ),
    );
  }
  // The Ingress's own tags are reported once, by the group; here only a Service's.
  const serviceTags = readTargetGroupAnnotations(
    undefined,
    service.metadata?.annotations,
    input.serviceKey,
  ).value.tags;
  problems.push(
    ...externalTagProblems(member, serviceTags, config, `Service ${input.serviceKey}: `),
  );
  if (problems.some((p) => p.severity === 'error')) return { targetGroup: undefined, problems };

  const healthCheck: HealthCheck = {
    port: 'error' in hcPort ? 'traffic-port' : hcPort.port,
    protocol: s.healthCheckProtocol ?? protocol,
    path: s.healthCheckPath ?? (grpc ? '/AWS.ALB/healthcheck' : '/'),
    intervalSeconds: interval,
    timeoutSeconds: timeout,
    healthyThresholdCount: s.healthyThresholdCount ?? 2,
    unhealthyThresholdCount: s.unhealthyThresholdCount ?? 2,
    successCodes: s.successCodes ?? (grpc ? '12' : '200'),
  };
  const serviceName = service.metadata?.name ?? '';
  const id = targetGroupId(member, serviceName, input.portRef);
  // Offline a NodePort is not allocated yet and a named target port has no number: the
  // reference controller uses 1 there (targets carry their own ports).
  const port =
    (targetType === 'instance' ? servicePort.nodePort : numericTargetPort(servicePort)) ?? 1;
  const name = targetGroupName({
    cluster: config.clusterName,
    groupId: input.groupId,
    member,
    service: input.serviceKey,
    port: String(input.portRef),
    targetType,
    protocol,
    protocolVersion,
    ipAddressType,
    ...(targetControlPort !== undefined ? { targetControlPort } : {}),
  });
  const targets =
    targetType === 'instance'
      ? instanceTargets(env.nodes, servicePort.nodePort, s.nodeLabels)
      : ipTargets(
          env.endpointSlices === undefined
            ? undefined
            : (env.endpointSlices.get(input.serviceKey) ?? []),
          servicePort,
          ipAddressType === 'ipv6' ? 'IPv6' : 'IPv4',
          env.gatedAddresses?.get(gateConditionType(name)),
        );
  const targetGroup: TargetGroup = {
    id,
    name,
    member,
    service: `${input.serviceKey}:${input.portRef}`,
    targetType,
    protocol,
    protocolVersion,
    port,
    ipAddressType,
    healthCheck,
    attributes: s.attributes ?? {},
    tags: resourceTags(
      { cluster: config.clusterName, stack: input.groupId, resource: id, ingress: member },
      config.defaultTags,
      withoutExternalTags(s.tags, config),
    ),
    targets,
    ...(targetControlPort !== undefined ? { targetControlPort } : {}),
    ...(s.multiClusterTargetGroup === true ? { multiCluster: true as const } : {}),
  };
  return { targetGroup, problems };
}
