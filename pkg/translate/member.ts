/**
 * One member on its own: its annotations read, its rules translated, its backends
 * resolved. Nothing here looks at the other members; the group decides what is kept.
 */
import type { V1HTTPIngressPath, V1IngressBackend, V1IngressRule } from '@kubernetes/client-node';
import { overlayAnnotations, readIngressAnnotations } from '../annotations/index.ts';
import type { GroupMember } from '../ingress/group.ts';
import type { Problem, RuleCondition, RuleTransform, TargetGroup } from '../model/index.ts';
import { authAction, backendAuth } from './auth.ts';
import type { BackendContext } from './backend.ts';
import { resolveBackend } from './backend.ts';
import type { MemberDraft, RuleDraft } from './drafts.ts';
import type { Env, TranslateConfig } from './env.ts';
import {
  ANY_PATH,
  matchEvaluations,
  rewriteTransform,
  translateHost,
  translatePath,
} from './paths.ts';
import { foldMatchConditions } from './match-conditions.ts';
import { maybe } from './maybe.ts';
import { problem, verbatim } from './problems.ts';

const MAX_MATCH_EVALUATIONS = 5;

export function memberNamespace(member: GroupMember): string {
  return member.ingress.metadata?.namespace ?? member.key.split('/')[0] ?? 'default';
}

export function compileMember(
  member: GroupMember,
  index: number,
  groupId: string,
  env: Env,
  config: TranslateConfig,
): MemberDraft {
  const key = member.key;
  // The class's params are laid over the Ingress's own annotations before anything reads
  // them, so every reader sees the override (see pkg/annotations/class-params.ts).
  const params = member.params?.params;
  const own = member.ingress.metadata?.annotations;
  const rawAnnotations = params === undefined ? own : overlayAnnotations(own, params);
  const read = readIngressAnnotations(rawAnnotations);
  const problems: Problem[] = read.errors.map((e) =>
    problem(key, e.field, e.value, e.message, e.severity ?? 'error'),
  );
  const ann =
    params?.tags === undefined
      ? read.value
      : { ...read.value, tags: { ...read.value.tags, ...params.tags } };
  const ctx: BackendContext = {
    groupId,
    member: key,
    namespace: memberNamespace(member),
    ingressAnnotations: rawAnnotations,
    annotations: ann,
    params,
    env,
    config,
    targetGroups: new Map<string, TargetGroup>(),
    foreign: new Set<string>(),
    problems,
  };
  const spec = member.ingress.spec;

  const authOf = (backend: V1IngressBackend | undefined) => {
    const auth = backendAuth(ctx, backend);
    const action = auth === undefined ? undefined : authAction(ctx, auth);
    return action === undefined ? {} : { auth: action };
  };
  const resolvedDefault =
    spec?.defaultBackend === undefined
      ? undefined
      : resolveBackend(ctx, spec.defaultBackend, 'spec.defaultBackend');
  const defaultBackend =
    resolvedDefault === undefined
      ? undefined
      : { ...resolvedDefault, ...authOf(spec?.defaultBackend) };

  const rules: RuleDraft[] = [];
  const seen = new Map<string, number>();
  const hosts = new Set<string>();
  const specRules: readonly V1IngressRule[] = spec?.rules ?? [];
  specRules.forEach((rule, ruleIndex) => {
    const hostField = `spec.rules[${ruleIndex}].host`;
    const host = translateHost(rule.host);
    if (!host.ok) {
      problems.push(problem(key, hostField, verbatim(rule.host), host.message));
      return;
    }
    if (rule.host !== undefined && rule.host !== '') hosts.add(rule.host);
    const paths: readonly V1HTTPIngressPath[] = rule.http?.paths ?? [];
    paths.forEach((p, pathIndex) => {
      const field = `spec.rules[${ruleIndex}].http.paths[${pathIndex}]`;
      const path = translatePath(p.pathType, p.path, ann.useRegexPathMatch === true);
      if (!path.ok) {
        problems.push(
          problem(
            key,
            path.message.startsWith('pathType') ? `${field}.pathType` : `${field}.path`,
            verbatim(p.path),
            path.message,
          ),
        );
        return;
      }
      const backendSpec = maybe(p.backend);
      const backend = resolveBackend(ctx, backendSpec, `${field}.backend`);
      if (backend === undefined) return;

      const extra: readonly RuleCondition[] =
        backendSpec?.service?.name === undefined
          ? []
          : (ann.conditions.get(backendSpec.service.name) ?? []);
      const conditionsField = `alb.ingress.kubernetes.io/conditions.${backendSpec?.service?.name ?? ''}`;
      // The rule's own host and path first; conditions.* values for them are merged in.
      const extraPath = extra.some((c) => c.Field === 'path-pattern');
      const own: RuleCondition[] = [
        ...(host.value.condition === undefined ? [] : [host.value.condition]),
        ...(path.value.config === undefined && extraPath
          ? []
          : [{ Field: 'path-pattern' as const, PathPatternConfig: path.value.config ?? ANY_PATH }]),
      ];
      const folded = foldMatchConditions([...own, ...extra]);
      if (!folded.ok) {
        problems.push(problem(key, conditionsField, p.path ?? '', folded.message));
        return;
      }
      const conditions = folded.value;
      const evaluations = matchEvaluations(conditions);
      if (evaluations > MAX_MATCH_EVALUATIONS) {
        problems.push(
          problem(
            key,
            `${field}.path`,
            p.path ?? '',
            `this rule needs ${evaluations} match evaluations (host, path values and conditions); an ALB rule allows at most ${MAX_MATCH_EVALUATIONS}`,
          ),
        );
        return;
      }

      const transforms: RuleTransform[] = [];
      if (ann.rewriteTarget !== undefined) {
        const t = rewriteTransform(path.value, ann.rewriteTarget.target);
        if (!t.ok) {
          problems.push(problem(key, ann.rewriteTarget.field, ann.rewriteTarget.target, t.message));
          return;
        }
        transforms.push(t.value);
      }
      const named = backendSpec?.service?.name;
      for (const t of named === undefined ? [] : (ann.transforms.get(named) ?? [])) {
        if (transforms.some((have) => have.Type === t.Type)) {
          problems.push(
            problem(
              key,
              `alb.ingress.kubernetes.io/transforms.${named ?? ''}`,
              t.Type,
              `adds a second ${t.Type} to a rule that already has one from ${ann.rewriteTarget?.field ?? 'rewrite-target'}; an ALB rule takes one of each type`,
            ),
          );
          return;
        }
        transforms.push(t);
      }

      const hostText = rule.host ?? '';
      const dupKey = JSON.stringify([hostText, path.value.type, path.value.path]);
      const occurrence = seen.get(dupKey) ?? 0;
      seen.set(dupKey, occurrence + 1);
      rules.push({
        member: key,
        memberIndex: index,
        memberOrder: member.order,
        ruleIndex,
        pathIndex,
        host: hostText,
        hostKind: host.value.kind,
        pathType: path.value.type,
        path: path.value.path,
        pathLength: path.value.length,
        occurrence,
        conditions,
        actions: backend.actions,
        transforms,
        ...authOf(backendSpec),
      });
    });
  });
  const tlsHosts = new Set<string>();
  for (const tls of spec?.tls ?? []) for (const h of tls.hosts ?? []) tlsHosts.add(h);
  for (const h of tlsHosts) hosts.add(h);
  // A `spec.tls` entry without hosts covers the Ingress's own hosts (the Ingress API:
  // "defaults to the wildcard host setting" of the controller).
  const tlsOnly =
    (spec?.tls ?? []).length === 0 ? undefined : tlsHosts.size > 0 ? [...tlsHosts] : [...hosts];

  return {
    key,
    index,
    order: member.order,
    annotations: ann,
    rules,
    targetGroups: [...ctx.targetGroups.values()],
    foreignTargetGroups: [...ctx.foreign],
    defaultBackend,
    hosts: [...hosts],
    ...(tlsOnly === undefined ? {} : { tlsHosts: tlsOnly }),
    problems,
  };
}
