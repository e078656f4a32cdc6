/**
 * Rule conditions, actions and transforms in the ELBv2 API's own shapes (the field
 * names of CreateRule), so that a plan reads like the API call it will become. The one
 * departure: a forward names one of our target groups by its stack id
 * (`TargetGroupId`), because its ARN exists only after apply.
 *
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_RuleCondition.html
 */

export interface ValuesConfig {
  readonly Values?: readonly string[];
  /** ALB regex matching; never combined with `Values` in one condition. */
  readonly RegexValues?: readonly string[];
}

export interface HttpHeaderConfig extends ValuesConfig {
  readonly HttpHeaderName: string;
}

export interface QueryStringKeyValue {
  readonly Key?: string;
  readonly Value: string;
}

export const ConditionFields = [
  'host-header',
  'path-pattern',
  'http-header',
  'http-request-method',
  'query-string',
  'source-ip',
] as const;
export type ConditionField = (typeof ConditionFields)[number];

export interface RuleCondition {
  readonly Field: ConditionField;
  readonly HostHeaderConfig?: ValuesConfig;
  readonly PathPatternConfig?: ValuesConfig;
  readonly HttpHeaderConfig?: HttpHeaderConfig;
  readonly HttpRequestMethodConfig?: { readonly Values: readonly string[] };
  readonly QueryStringConfig?: { readonly Values: readonly QueryStringKeyValue[] };
  readonly SourceIpConfig?: { readonly Values: readonly string[] };
}

/**
 * One entry of a forward: exactly one of `TargetGroupId` (ours), `TargetGroupArn`
 * (foreign) or `TargetGroupName` (foreign, by name: resolved to its ARN at apply time).
 */
export interface TargetGroupTuple {
  readonly TargetGroupId?: string;
  readonly TargetGroupArn?: string;
  /** A foreign target group named by the `actions.*` annotation's `targetGroupName`. */
  readonly TargetGroupName?: string;
  /** @default 1 */
  readonly Weight?: number;
}

export interface ForwardConfig {
  readonly TargetGroups: readonly TargetGroupTuple[];
  readonly TargetGroupStickinessConfig?: {
    readonly Enabled: boolean;
    readonly DurationSeconds?: number;
  };
}

export interface FixedResponseConfig {
  /** 2XX, 4XX or 5XX, as a string. */
  readonly StatusCode: string;
  readonly ContentType?:
    'text/plain' | 'text/css' | 'text/html' | 'application/javascript' | 'application/json';
  readonly MessageBody?: string;
}

export interface RedirectConfig {
  readonly Protocol?: string;
  readonly Port?: string;
  readonly Host?: string;
  readonly Path?: string;
  readonly Query?: string;
  readonly StatusCode: 'HTTP_301' | 'HTTP_302';
}

export interface AuthenticateOidcConfig {
  readonly Issuer: string;
  readonly AuthorizationEndpoint: string;
  readonly TokenEndpoint: string;
  readonly UserInfoEndpoint: string;
  readonly ClientId: string;
  /**
   * Where the client secret comes from, never the secret itself: apply reads the value
   * from the Secret, so plans, logs and golden files only ever see the digest.
   */
  readonly ClientSecretRef?: ClientSecretRef;
  readonly Scope?: string;
  readonly SessionCookieName?: string;
  readonly SessionTimeout?: number;
  readonly OnUnauthenticatedRequest?: 'deny' | 'allow' | 'authenticate';
  readonly AuthenticationRequestExtraParams?: Readonly<Record<string, string>>;
}

/**
 * A client secret by reference. AWS never returns a client secret, so `Digest` (also
 * carried by the `albatross.dev/auth-secret-digest` tag of the rule or listener) is what
 * the planner compares; `Secret` and `Key` only say where apply reads the value.
 */
export interface ClientSecretRef {
  /** `namespace/name` of the Secret. */
  readonly Secret: string;
  readonly Key: string;
  /**
   * `hmac-sha256:` and the first 32 hex digits of the value's HMAC-SHA-256 under the
   * cluster's digest key (pkg/k8s/digest-key.ts); `sha256:…` (unkeyed) on rules an older
   * release wrote, which differ and so get the secret sent once more.
   */
  readonly Digest: string;
}

export interface JwtValidationClaim {
  readonly Format: 'single-string' | 'space-separated-values' | 'string-array';
  readonly Name: string;
  readonly Values: readonly string[];
}

/** @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_JwtValidationActionConfig.html */
export interface JwtValidationConfig {
  readonly Issuer: string;
  readonly JwksEndpoint: string;
  readonly AdditionalClaims?: readonly JwtValidationClaim[];
}

export interface AuthenticateCognitoConfig {
  readonly UserPoolArn: string;
  readonly UserPoolClientId: string;
  readonly UserPoolDomain: string;
  readonly Scope?: string;
  readonly SessionCookieName?: string;
  readonly SessionTimeout?: number;
  readonly OnUnauthenticatedRequest?: 'deny' | 'allow' | 'authenticate';
  readonly AuthenticationRequestExtraParams?: Readonly<Record<string, string>>;
}

export const ActionTypes = [
  'forward',
  'fixed-response',
  'redirect',
  'authenticate-oidc',
  'authenticate-cognito',
  'jwt-validation',
] as const;
export type ActionType = (typeof ActionTypes)[number];

export interface Action {
  readonly Type: ActionType;
  /** Set when a rule has more than one action (authenticate first, then forward). */
  readonly Order?: number;
  readonly ForwardConfig?: ForwardConfig;
  readonly FixedResponseConfig?: FixedResponseConfig;
  readonly RedirectConfig?: RedirectConfig;
  readonly AuthenticateOidcConfig?: AuthenticateOidcConfig;
  readonly AuthenticateCognitoConfig?: AuthenticateCognitoConfig;
  readonly JwtValidationConfig?: JwtValidationConfig;
}

export interface RewriteConfig {
  readonly Regex: string;
  readonly Replace: string;
}

export interface RuleTransform {
  readonly Type: 'url-rewrite' | 'host-header-rewrite';
  readonly UrlRewriteConfig?: { readonly Rewrites: readonly RewriteConfig[] };
  readonly HostHeaderRewriteConfig?: { readonly Rewrites: readonly RewriteConfig[] };
}
