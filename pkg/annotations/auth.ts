/**
 * Authentication annotations: `auth-type` with `auth-idp-cognito` or `auth-idp-oidc`, the
 * shared `auth-on-unauthenticated-request`, `auth-scope`, `auth-session-cookie`,
 * `auth-session-timeout`, and `jwt-validation`. The reference reads them from the
 * Ingress and, for a backend that is one Service, from that Service too (the Service's
 * value wins): {@link readAuthAnnotations} takes both maps.
 *
 * The OIDC client credentials are not here: the annotation names a Secret, which the
 * environment resolves (see pkg/translate/auth.ts).
 */
import type { JwtValidationClaim, JwtValidationConfig } from '../model/index.ts';
import { isJsonArray, isJsonObject, parseJson, prop } from './json.ts';
import type { JsonObject, JsonValue } from './json.ts';
import { albAnnotation, bad, ok, readAnnotation } from './parsed.ts';
import type { AnnotationError, AnnotationMap, Parsed, Parser } from './parsed.ts';
import { intIn, oneOf } from './primitives.ts';

export type AuthType = 'none' | 'cognito' | 'oidc';
export type OnUnauthenticatedRequest = 'authenticate' | 'allow' | 'deny';

export interface CognitoIdp {
  readonly userPoolArn: string;
  readonly userPoolClientId: string;
  readonly userPoolDomain: string;
  readonly extraParams?: Readonly<Record<string, string>>;
}

export interface OidcIdp {
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  /** Name of a Secret in the Ingress's namespace holding `clientID` and `clientSecret`. */
  readonly secretName: string;
  readonly extraParams?: Readonly<Record<string, string>>;
}

/** What to put before a rule's action on an HTTPS listener. */
export type AuthSpec =
  | {
      readonly kind: 'cognito' | 'oidc';
      readonly idp: CognitoIdp | OidcIdp;
      /** @default 'authenticate' */
      readonly onUnauthenticatedRequest: OnUnauthenticatedRequest;
      /** @default 'openid' */
      readonly scope: string;
      /** @default 'AWSELBAuthSessionCookie' */
      readonly sessionCookie: string;
      /** @default 604800 */
      readonly sessionTimeout: number;
    }
  | { readonly kind: 'jwt'; readonly config: JwtValidationConfig };

export const AUTH_ANNOTATIONS = [
  'auth-type',
  'auth-idp-cognito',
  'auth-idp-oidc',
  'auth-on-unauthenticated-request',
  'auth-scope',
  'auth-session-cookie',
  'auth-session-timeout',
  'jwt-validation',
] as const;

const MAX_SESSION_TIMEOUT = 604800;
const MAX_CLAIMS = 10;
const MAX_CLAIM_VALUES = 10;

function text(obj: JsonObject, name: string): string | undefined {
  const v = prop(obj, name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function extraParams(v: JsonValue | undefined): Parsed<Record<string, string> | undefined> {
  if (v === undefined || v === null) return ok(undefined);
  if (!isJsonObject(v)) return bad('authenticationRequestExtraParams must be an object of strings');
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== 'string') {
      return bad(`authenticationRequestExtraParams.${key} must be a string`);
    }
    out[key] = value;
  }
  return ok(Object.keys(out).length === 0 ? undefined : out);
}

function required(obj: JsonObject, names: readonly string[], form: string): Parsed<string[]> {
  const missing = names.filter((n) => text(obj, n) === undefined);
  if (missing.length > 0) {
    return bad(`${missing.join(', ')} must be given as non-empty strings; ${form}`);
  }
  return ok(names.map((n) => text(obj, n) ?? ''));
}

function httpsUrls(obj: JsonObject, names: readonly string[]): string | undefined {
  const wrong = names.filter((n) => !/^https:\/\/[^\s/]+/.test(text(obj, n) ?? ''));
  return wrong.length === 0 ? undefined : `${wrong.join(', ')} must be https:// URLs`;
}

const COGNITO_FORM =
  'the form is {"userPoolARN":"arn:aws:cognito-idp:…","userPoolClientID":"…","userPoolDomain":"…","authenticationRequestExtraParams":{…}}';

export function parseCognitoIdp(raw: string): Parsed<CognitoIdp> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${COGNITO_FORM}`);
  if (!isJsonObject(json.value)) return bad(`must be a JSON object; ${COGNITO_FORM}`);
  const obj = json.value;
  const fields = required(obj, ['userPoolARN', 'userPoolClientID', 'userPoolDomain'], COGNITO_FORM);
  if (!fields.ok) return fields;
  const [userPoolArn = '', userPoolClientId = '', userPoolDomain = ''] = fields.value;
  if (!/^arn:[a-z-]+:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/\S+$/.test(userPoolArn)) {
    return bad(
      `userPoolARN '${userPoolArn}' must be a Cognito user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID)`,
    );
  }
  const extra = extraParams(prop(obj, 'authenticationRequestExtraParams'));
  if (!extra.ok) return extra;
  return ok({
    userPoolArn,
    userPoolClientId,
    userPoolDomain,
    ...(extra.value === undefined ? {} : { extraParams: extra.value }),
  });
}

const OIDC_FORM =
  'the form is {"issuer":"https://…","authorizationEndpoint":"https://…","tokenEndpoint":"https://…","userInfoEndpoint":"https://…","secretName":"…","authenticationRequestExtraParams":{…}}';

export function parseOidcIdp(raw: string): Parsed<OidcIdp> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${OIDC_FORM}`);
  if (!isJsonObject(json.value)) return bad(`must be a JSON object; ${OIDC_FORM}`);
  const obj = json.value;
  const endpoints = ['issuer', 'authorizationEndpoint', 'tokenEndpoint', 'userInfoEndpoint'];
  const fields = required(obj, [...endpoints, 'secretName'], OIDC_FORM);
  if (!fields.ok) return fields;
  const urls = httpsUrls(obj, endpoints);
  if (urls !== undefined) return bad(`${urls}; ${OIDC_FORM}`);
  const [issuer = '', authorizationEndpoint = '', tokenEndpoint = '', userInfoEndpoint = ''] =
    fields.value;
  const secretName = fields.value[4] ?? '';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(secretName) || secretName.length > 253) {
    return bad(`secretName '${secretName}' must be the name of a Secret (a DNS subdomain)`);
  }
  const extra = extraParams(prop(obj, 'authenticationRequestExtraParams'));
  if (!extra.ok) return extra;
  return ok({
    issuer,
    authorizationEndpoint,
    tokenEndpoint,
    userInfoEndpoint,
    secretName,
    ...(extra.value === undefined ? {} : { extraParams: extra.value }),
  });
}

const JWT_FORM =
  'the form is {"issuer":"…","jwksEndpoint":"https://…","additionalClaims":[{"format":"single-string|space-separated-values|string-array","name":"…","values":["…"]}]}';
const CLAIM_FORMATS = ['single-string', 'space-separated-values', 'string-array'] as const;

function parseClaim(v: JsonValue, index: number): Parsed<JwtValidationClaim> {
  const where = `additionalClaims[${index}]`;
  if (!isJsonObject(v)) return bad(`${where} must be an object; ${JWT_FORM}`);
  const format = text(v, 'format');
  const found = CLAIM_FORMATS.find((f) => f === format);
  if (found === undefined) {
    return bad(
      `${where}.format '${format ?? ''}' must be one of ${CLAIM_FORMATS.map((f) => `'${f}'`).join(', ')}`,
    );
  }
  const name = text(v, 'name');
  if (name === undefined) return bad(`${where}.name must be a non-empty string; ${JWT_FORM}`);
  const values = prop(v, 'values');
  if (
    !isJsonArray(values) ||
    values.length === 0 ||
    values.length > MAX_CLAIM_VALUES ||
    !values.every((x) => typeof x === 'string' && x !== '')
  ) {
    return bad(`${where}.values must be a list of 1 to ${MAX_CLAIM_VALUES} non-empty strings`);
  }
  if (found === 'single-string' && values.length !== 1) {
    return bad(`${where}.values must hold exactly one value for format 'single-string'`);
  }
  return ok({ Format: found, Name: name, Values: values.map(String) });
}

export function parseJwtValidation(raw: string): Parsed<JwtValidationConfig> {
  const json = parseJson(raw);
  if (!json.ok) return bad(`${json.message}; ${JWT_FORM}`);
  if (!isJsonObject(json.value)) return bad(`must be a JSON object; ${JWT_FORM}`);
  const obj = json.value;
  const fields = required(obj, ['issuer', 'jwksEndpoint'], JWT_FORM);
  if (!fields.ok) return fields;
  const [issuer = '', jwksEndpoint = ''] = fields.value;
  const url = httpsUrls(obj, ['jwksEndpoint']);
  if (url !== undefined) return bad(`${url}; ${JWT_FORM}`);
  if (issuer.length > 256 || jwksEndpoint.length > 256) {
    return bad('issuer and jwksEndpoint may have at most 256 characters each');
  }
  const rawClaims = prop(obj, 'additionalClaims');
  const claims: JwtValidationClaim[] = [];
  if (rawClaims !== undefined && rawClaims !== null) {
    if (!isJsonArray(rawClaims) || rawClaims.length > MAX_CLAIMS) {
      return bad(`additionalClaims must be a list of at most ${MAX_CLAIMS} claims; ${JWT_FORM}`);
    }
    for (const [i, c] of rawClaims.entries()) {
      const claim = parseClaim(c, i);
      if (!claim.ok) return claim;
      claims.push(claim.value);
    }
  }
  return ok({
    Issuer: issuer,
    JwksEndpoint: jwksEndpoint,
    ...(claims.length === 0 ? {} : { AdditionalClaims: claims }),
  });
}

const parseAuthType: Parser<AuthType> = oneOf<AuthType>(['none', 'cognito', 'oidc']);
const parseOnUnauthenticated: Parser<OnUnauthenticatedRequest> = oneOf<OnUnauthenticatedRequest>([
  'authenticate',
  'allow',
  'deny',
]);

function nonEmpty(what: string): Parser<string> {
  return (raw) => (raw.trim() === '' ? bad(`must be a non-empty ${what}`) : ok(raw));
}

/**
 * The auth of one backend from the Ingress's annotations and, when the backend is a
 * Service, that Service's (each annotation: the Service's value wins). `undefined` = no
 * authentication. `where` names the Service in errors about its annotations.
 */
export function readAuthAnnotations(
  ingress: AnnotationMap | undefined,
  service?: { readonly annotations: AnnotationMap | undefined; readonly key: string },
): { readonly value: AuthSpec | undefined; readonly errors: readonly AnnotationError[] } {
  const errors: AnnotationError[] = [];
  const read = <T>(short: string, parse: Parser<T>): T | undefined => {
    const name = albAnnotation(short);
    const svc = service?.annotations;
    if (svc !== undefined && Object.hasOwn(svc, name)) {
      const own: AnnotationError[] = [];
      const v = readAnnotation(svc, name, parse, own);
      for (const e of own)
        errors.push({ ...e, field: `${e.field} (on Service ${service?.key ?? ''})` });
      return v;
    }
    return readAnnotation(ingress, name, parse, errors);
  };
  const type = read('auth-type', parseAuthType) ?? 'none';
  const jwt = read('jwt-validation', parseJwtValidation);
  const onUnauthenticatedRequest =
    read('auth-on-unauthenticated-request', parseOnUnauthenticated) ?? 'authenticate';
  const scope = read('auth-scope', nonEmpty('space-separated list of scopes')) ?? 'openid';
  const sessionCookie =
    read('auth-session-cookie', nonEmpty('cookie name')) ?? 'AWSELBAuthSessionCookie';
  const sessionTimeout =
    read('auth-session-timeout', intIn(1, MAX_SESSION_TIMEOUT)) ?? MAX_SESSION_TIMEOUT;
  const cognito = read('auth-idp-cognito', parseCognitoIdp);
  const oidc = read('auth-idp-oidc', parseOidcIdp);
  const failed = (short: string) => errors.some((e) => e.field.startsWith(albAnnotation(short)));

  if (jwt !== undefined && type !== 'none') {
    const name = albAnnotation('jwt-validation');
    const svc = service?.annotations;
    errors.push({
      field: name,
      value: (svc !== undefined && Object.hasOwn(svc, name) ? svc[name] : ingress?.[name]) ?? '',
      message: `cannot be combined with auth-type '${type}'; a rule takes one authentication action: remove one of them`,
    });
    return { value: undefined, errors };
  }
  if (jwt !== undefined) return { value: { kind: 'jwt', config: jwt }, errors };
  if (type === 'none') return { value: undefined, errors };
  const idp = type === 'cognito' ? cognito : oidc;
  const idpShort = type === 'cognito' ? 'auth-idp-cognito' : 'auth-idp-oidc';
  if (idp === undefined) {
    if (!failed(idpShort)) {
      errors.push({
        field: albAnnotation(idpShort),
        value: '',
        message: `is required when auth-type is '${type}'`,
      });
    }
    return { value: undefined, errors };
  }
  return {
    value: { kind: type, idp, onUnauthenticatedRequest, scope, sessionCookie, sessionTimeout },
    errors,
  };
}

/** True when the map sets any authentication annotation. */
export function hasAuthAnnotations(annotations: AnnotationMap | undefined): boolean {
  return AUTH_ANNOTATIONS.some((short) => Object.hasOwn(annotations ?? {}, albAnnotation(short)));
}
