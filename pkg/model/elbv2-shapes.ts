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
  /** Never printed: plans and logs show a digest only. */
  readonly ClientSecret?: string;
  readonly Scope?: string;
  readonly SessionCookieName?: string;
  readonly SessionTimeout?: number;
  readonly OnUnauthenticatedRequest?: 'deny' | 'allow' | 'authenticate';
  readonly AuthenticationRequestExtraParams?: Readonly<Record<string, string>>;
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
