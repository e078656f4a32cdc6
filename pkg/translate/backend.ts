/**
 * An Ingress backend → the rule's actions and the target groups they forward to. A
 * backend naming a missing Service or action answers a fixed 503 (with a warning), as in
 * the reference controller; an ExternalName Service or a port the Service does not have
 * is an error: an ALB cannot forward there.
 */
import type { V1IngressBackend, V1ServicePort } from '@kubernetes/client-node';
import type { ForwardTarget, ParsedAction } from '../annotations/index.ts';
import { albAnnotation } from '../annotations/index.ts';
import type { Action, Problem, TargetGroup, TargetGroupTuple } from '../model/index.ts';
import type { AnnotationMap, ClassParams, IngressAnnotations } from '../annotations/index.ts';
import { FIXED_503 } from './drafts.ts';
import type { Env, TranslateConfig } from './env.ts';
import { problem } from './problems.ts';
import { buildTargetGroup } from './target-group.ts';

export interface BackendContext {
  readonly groupId: string;
  readonly member: string;
  readonly namespace: string;
  readonly ingressAnnotations: AnnotationMap | undefined;
  readonly annotations: IngressAnnotations;
  /** The class's IngressClassParams: over the Service's annotations too. */
  readonly params?: ClassParams | undefined;
  readonly env: Env;
  readonly config: TranslateConfig;
  /** Collected across the member; a target group is built once per (Service, port). */
  readonly targetGroups: Map<string, TargetGroup>;
  readonly foreign: Set<string>;
  readonly problems: Problem[];
}

const USE_ANNOTATION = 'use-annotation';

export interface ResolvedBackend {
  readonly actions: readonly Action[];
  /** What two default backends are compared by. */
  readonly key: string;
}

function missingService(ctx: BackendContext, field: string, name: string): ResolvedBackend {
  ctx.problems.push(
    problem(
      ctx.member,
      field,
      name,
      `Service ${ctx.namespace}/${name} does not exist; the ALB answers 503 for this backend until it does`,
      'warning',
    ),
  );
  return { actions: [FIXED_503], key: `503:${name}` };
}

/** A Service port → our target group id, or a problem (returns `undefined`). */
function serviceTargetGroup(
  ctx: BackendContext,
  field: string,
  serviceName: string,
  port: number | string,
): { readonly id: string } | 'missing' | undefined {
  const serviceKey = `${ctx.namespace}/${serviceName}`;
  const service = ctx.env.services.get(serviceKey);
  if (service === undefined) return 'missing';
  if (service.spec?.type === 'ExternalName') {
    ctx.problems.push(
      problem(
        ctx.member,
        field,
        serviceName,
        `Service ${serviceKey} is of type ExternalName; an ALB forwards to instances or IPs, not to a DNS name: use a Service with a selector`,
      ),
    );
    return undefined;
  }
  const ports = service.spec?.ports ?? [];
  const sp: V1ServicePort | undefined =
    typeof port === 'number'
      ? ports.find((p) => p.port === port)
      : ports.find((p) => p.name === port);
  if (sp === undefined) {
    const have = ports
      .map((p) => (p.name === undefined ? String(p.port) : `${p.name} (${p.port})`))
      .join(', ');
    ctx.problems.push(
      problem(
        ctx.member,
        `${field}.port`,
        String(port),
        `Service ${serviceKey} has no port ${typeof port === 'number' ? port : `named '${port}'`}; it has: ${have === '' ? 'none' : have}`,
      ),
    );
    return undefined;
  }
  const built = buildTargetGroup(
    {
      groupId: ctx.groupId,
      member: ctx.member,
      ingressAnnotations: ctx.ingressAnnotations,
      params: ctx.params,
      service,
      serviceKey,
      servicePort: sp,
      portRef: port,
      field,
    },
    ctx.env,
    ctx.config,
  );
  ctx.problems.push(...built.problems);
  if (built.targetGroup === undefined) return undefined;
  if (!ctx.targetGroups.has(built.targetGroup.id))
    ctx.targetGroups.set(built.targetGroup.id, built.targetGroup);
  return { id: built.targetGroup.id };
}

function forwardTuple(
  ctx: BackendContext,
  field: string,
  t: ForwardTarget,
): TargetGroupTuple | 'missing' | undefined {
  const weight = t.weight === undefined ? {} : { Weight: t.weight };
  if (t.kind === 'arn') {
    ctx.foreign.add(t.targetGroupArn);
    return { TargetGroupArn: t.targetGroupArn, ...weight };
  }
  if (t.kind === 'name') {
    ctx.foreign.add(t.targetGroupName);
    return { TargetGroupName: t.targetGroupName, ...weight };
  }
  const tg = serviceTargetGroup(ctx, field, t.serviceName, t.servicePort);
  if (tg === undefined || tg === 'missing') return tg;
  return { TargetGroupId: tg.id, ...weight };
}

function annotationAction(
  ctx: BackendContext,
  name: string,
  action: ParsedAction,
): ResolvedBackend | undefined {
  const key = `action:${name}`;
  if (action.type === 'fixed-response') {
    return { actions: [{ Type: 'fixed-response', FixedResponseConfig: action.config }], key };
  }
  if (action.type === 'redirect')
    return { actions: [{ Type: 'redirect', RedirectConfig: action.config }], key };
  const tuples: TargetGroupTuple[] = [];
  const annotation = albAnnotation(`actions.${name}`);
  for (const t of action.targets) {
    const tuple = forwardTuple(ctx, annotation, t);
    if (tuple === undefined) return undefined;
    if (tuple === 'missing') {
      return missingService(ctx, annotation, t.kind === 'service' ? t.serviceName : '');
    }
    tuples.push(tuple);
  }
  const stickiness =
    action.stickiness === undefined
      ? {}
      : {
          TargetGroupStickinessConfig: {
            Enabled: action.stickiness.enabled,
            ...(action.stickiness.durationSeconds === undefined
              ? {}
              : { DurationSeconds: action.stickiness.durationSeconds }),
          },
        };
  return {
    actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: tuples, ...stickiness } }],
    key,
  };
}

/** `undefined` when the backend is in error (a problem was recorded). */
export function resolveBackend(
  ctx: BackendContext,
  backend: V1IngressBackend | undefined,
  field: string,
): ResolvedBackend | undefined {
  if (backend?.resource !== undefined) {
    ctx.problems.push(
      problem(
        ctx.member,
        `${field}.resource`,
        `${backend.resource.kind}/${backend.resource.name}`,
        'resource backends are not supported: an ALB forwards to Services; use backend.service',
      ),
    );
    return undefined;
  }
  const svc = backend?.service;
  if (svc === undefined || typeof svc.name !== 'string' || svc.name === '') {
    ctx.problems.push(
      problem(ctx.member, `${field}.service.name`, '', 'a backend must name a Service'),
    );
    return undefined;
  }
  const name = svc.name;
  if (svc.port?.name === USE_ANNOTATION) {
    const action = ctx.annotations.actions.get(name);
    if (action === undefined) {
      ctx.problems.push(
        problem(
          ctx.member,
          `${field}.service.name`,
          name,
          `the backend uses annotation ${albAnnotation(`actions.${name}`)}, which is missing or invalid; the ALB answers 503 for it`,
          'warning',
        ),
      );
      return { actions: [FIXED_503], key: `503:action:${name}` };
    }
    return annotationAction(ctx, name, action);
  }
  const port: number | string | undefined =
    typeof svc.port?.number === 'number'
      ? svc.port.number
      : svc.port?.name !== undefined && svc.port.name !== ''
        ? svc.port.name
        : undefined;
  if (port === undefined) {
    ctx.problems.push(
      problem(
        ctx.member,
        `${field}.service.port`,
        '',
        'a backend must give the Service port as number or name',
      ),
    );
    return undefined;
  }
  const tg = serviceTargetGroup(ctx, `${field}.service`, name, port);
  if (tg === undefined) return undefined;
  if (tg === 'missing') return missingService(ctx, `${field}.service.name`, name);
  return {
    actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupId: tg.id }] } }],
    key: `${ctx.namespace}/${name}:${port}`,
  };
}
