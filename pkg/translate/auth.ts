/**
 * Authentication of a backend: the ALB action (authenticate-cognito, authenticate-oidc
 * or jwt-validation) that runs before the backend's own action on HTTPS listeners.
 *
 * As in the reference, the auth annotations of an Ingress apply to every backend of it,
 * and a backend that is one Service may override each of them with the Service's own
 * annotation. Unlike the reference, auth on a member whose rules also serve on a plain
 * HTTP listener is an error: the reference drops the authentication there silently and
 * serves the same routes unauthenticated.
 */
import type { V1IngressBackend } from '@kubernetes/client-node';
import {
  albAnnotation,
  hasAuthAnnotations,
  parseOidcIdp,
  readAuthAnnotations,
} from '../annotations/index.ts';
import type { AuthSpec, CognitoIdp, OidcIdp } from '../annotations/index.ts';
import type { Action, ListenerProtocol, Problem, Tags } from '../model/index.ts';
import { TAG_AUTH_SECRET_DIGEST } from '../naming/index.ts';
import type { BackendContext } from './backend.ts';
import type { IngressGroup } from '../ingress/group.ts';
import type { MemberDraft } from './drafts.ts';
import type { Env } from './env.ts';
import { maybe } from './maybe.ts';
import { memberNamespace } from './member.ts';
import { problem } from './problems.ts';

const OIDC_ANNOTATION = albAnnotation('auth-idp-oidc');
export const CLIENT_SECRET_KEY = 'clientSecret';
/** Offline (`albatross plan`): no Secret and no cluster key, so no digest to show. */
export const UNKNOWN_DIGEST = 'hmac-sha256:unknown';

function isCognito(kind: AuthSpec['kind'], _idp: CognitoIdp | OidcIdp): _idp is CognitoIdp {
  return kind === 'cognito';
}

/** The auth of one backend: the Ingress's, with a single Service's own annotations over it. */
export function backendAuth(
  ctx: BackendContext,
  backend: V1IngressBackend | undefined,
): AuthSpec | undefined {
  const name = backend?.service?.name;
  const usesService =
    name !== undefined && name !== '' && backend?.service?.port?.name !== 'use-annotation';
  const service = usesService ? ctx.env.services.get(`${ctx.namespace}/${name}`) : undefined;
  const annotations = service?.metadata?.annotations;
  if (service === undefined || !hasAuthAnnotations(annotations)) return ctx.annotations.auth;
  const key = `${ctx.namespace}/${name ?? ''}`;
  const read = readAuthAnnotations(ctx.ingressAnnotations, { annotations, key });
  for (const e of read.errors) {
    const seen = ctx.problems.some((p) => p.field === e.field && p.message === e.message);
    if (!seen) ctx.problems.push(problem(ctx.member, e.field, e.value, e.message));
  }
  return read.value;
}

/**
 * The action for `spec` (Order 1), or `undefined` with a problem when an OIDC Secret is
 * missing or incomplete.
 */
export function authAction(
  ctx: Pick<BackendContext, 'member' | 'namespace' | 'env' | 'problems'>,
  spec: AuthSpec,
): Action | undefined {
  if (spec.kind === 'jwt')
    return { Type: 'jwt-validation', Order: 1, JwtValidationConfig: spec.config };
  const common = {
    Scope: spec.scope,
    SessionCookieName: spec.sessionCookie,
    SessionTimeout: spec.sessionTimeout,
    OnUnauthenticatedRequest: spec.onUnauthenticatedRequest,
  };
  const idp = spec.idp;
  if (isCognito(spec.kind, idp)) {
    return {
      Type: 'authenticate-cognito',
      Order: 1,
      AuthenticateCognitoConfig: {
        UserPoolArn: idp.userPoolArn,
        UserPoolClientId: idp.userPoolClientId,
        UserPoolDomain: idp.userPoolDomain,
        ...common,
        ...(idp.extraParams === undefined
          ? {}
          : { AuthenticationRequestExtraParams: idp.extraParams }),
      },
    };
  }
  const oidc: OidcIdp = idp;
  const secret = `${ctx.namespace}/${oidc.secretName}`;
  const known = ctx.env.oidcClients;
  const client = known?.get(secret);
  if (known !== undefined) {
    const missing =
      client === undefined
        ? `Secret ${secret} does not exist; it must hold the OIDC client credentials in keys clientID and ${CLIENT_SECRET_KEY}`
        : client.clientId === undefined
          ? `Secret ${secret} has no key clientID (nor clientId); it must hold the OIDC client id`
          : client.clientSecretDigest === undefined
            ? `Secret ${secret} has no key ${CLIENT_SECRET_KEY}; it must hold the OIDC client secret`
            : undefined;
    if (missing !== undefined) {
      ctx.problems.push(problem(ctx.member, OIDC_ANNOTATION, oidc.secretName, missing));
      return undefined;
    }
  }
  return {
    Type: 'authenticate-oidc',
    Order: 1,
    AuthenticateOidcConfig: {
      Issuer: oidc.issuer,
      AuthorizationEndpoint: oidc.authorizationEndpoint,
      TokenEndpoint: oidc.tokenEndpoint,
      UserInfoEndpoint: oidc.userInfoEndpoint,
      ClientId: client?.clientId ?? `<clientID from Secret ${secret}>`,
      ClientSecretRef: {
        Secret: secret,
        Key: CLIENT_SECRET_KEY,
        Digest: client?.clientSecretDigest ?? UNKNOWN_DIGEST,
      },
      ...common,
      ...(oidc.extraParams === undefined
        ? {}
        : { AuthenticationRequestExtraParams: oidc.extraParams }),
    },
  };
}

/** `auth` first, then the backend's own actions, numbered in that order. */
export function withAuth(actions: readonly Action[], auth: Action | undefined): readonly Action[] {
  if (auth === undefined) return actions;
  return [auth, ...actions.map((a, i) => ({ ...a, Order: i + 2 }))];
}

/** The tag that carries the digest of an OIDC client secret, when `actions` hold one. */
export function authSecretTags(actions: readonly Action[]): Tags {
  const digest = actions.find((a) => a.AuthenticateOidcConfig?.ClientSecretRef !== undefined)
    ?.AuthenticateOidcConfig?.ClientSecretRef?.Digest;
  return digest === undefined ? {} : { [TAG_AUTH_SECRET_DIGEST]: digest };
}

/**
 * A member with authentication whose rules (or default backend) would also serve on a
 * plain HTTP listener: an error naming the ports, since ALB authenticates on HTTPS only.
 */
export function authOnHttpProblems(
  drafts: readonly MemberDraft[],
  portsOf: ReadonlyMap<string, readonly number[]>,
  protocolOf: (port: number) => ListenerProtocol | undefined,
  carries: (port: number) => boolean,
): readonly Problem[] {
  const out: Problem[] = [];
  for (const d of drafts) {
    const auth = d.rules.find((r) => r.auth !== undefined)?.auth ?? d.defaultBackend?.auth;
    if (auth === undefined) continue;
    const open = (portsOf.get(d.key) ?? []).filter((p) => protocolOf(p) === 'HTTP' && carries(p));
    if (open.length === 0) continue;
    const jwt = auth.Type === 'jwt-validation';
    out.push(
      problem(
        d.key,
        albAnnotation(jwt ? 'jwt-validation' : 'auth-type'),
        jwt
          ? (auth.JwtValidationConfig?.Issuer ?? '')
          : auth.Type === 'authenticate-oidc'
            ? 'oidc'
            : 'cognito',
        `ALB authenticates on HTTPS listeners only, and this Ingress's rules also serve on HTTP port ${open.join(', ')}, where they would be reachable without it: set ssl-redirect to an HTTPS port, or listen on HTTPS only`,
      ),
    );
  }
  return out;
}

/**
 * Every Secret (`namespace/name`) the group's members name in `auth-idp-oidc`, on the
 * Ingress or on a Service a backend names, whether or not it exists: the controller
 * re-applies the group when one of them changes or appears.
 */
export function oidcSecretsReferenced(
  group: IngressGroup,
  env: Pick<Env, 'services'>,
): readonly string[] {
  const out = new Set<string>();
  const add = (namespace: string, annotations: Readonly<Record<string, string>> | undefined) => {
    const raw = annotations?.[OIDC_ANNOTATION];
    if (raw === undefined) return;
    const parsed = parseOidcIdp(raw);
    if (parsed.ok) out.add(`${namespace}/${parsed.value.secretName}`);
  };
  for (const member of group.members) {
    const namespace = memberNamespace(member);
    add(namespace, member.ingress.metadata?.annotations);
    const spec = member.ingress.spec;
    const backends = [
      spec?.defaultBackend,
      ...(spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => maybe(p.backend))),
    ];
    for (const b of backends) {
      const name = b?.service?.name;
      if (name !== undefined)
        add(namespace, env.services.get(`${namespace}/${name}`)?.metadata?.annotations);
    }
  }
  return [...out].sort();
}
