/**
 * One-line descriptions of ALB conditions, actions and transforms for the text plan:
 * what a reviewer needs to see which request goes where.
 */
import type {
  Action,
  RuleCondition,
  RuleTransform,
  TargetGroup,
  ValuesConfig,
} from '../model/index.ts';
import { describeSecretRef } from './redact.ts';

function values(config: ValuesConfig | undefined): string {
  const plain = config?.Values ?? [];
  const regex = (config?.RegexValues ?? []).map((r) => `~/${r}/`);
  return [...plain, ...regex].join(' | ');
}

export function describeCondition(condition: RuleCondition): string {
  switch (condition.Field) {
    case 'host-header':
      return `host ${values(condition.HostHeaderConfig)}`;
    case 'path-pattern':
      return `path ${values(condition.PathPatternConfig)}`;
    case 'http-header':
      return `header ${condition.HttpHeaderConfig?.HttpHeaderName ?? '?'}: ${values(condition.HttpHeaderConfig)}`;
    case 'http-request-method':
      return `method ${(condition.HttpRequestMethodConfig?.Values ?? []).join(' | ')}`;
    case 'query-string':
      return `query ${(condition.QueryStringConfig?.Values ?? [])
        .map((kv) => (kv.Key === undefined ? kv.Value : `${kv.Key}=${kv.Value}`))
        .join(' | ')}`;
    case 'source-ip':
      return `source-ip ${(condition.SourceIpConfig?.Values ?? []).join(' | ')}`;
  }
}

export function describeConditions(conditions: readonly RuleCondition[]): string {
  return conditions.length === 0 ? 'any request' : conditions.map(describeCondition).join(' and ');
}

export function describeAction(
  action: Action,
  targetGroups: ReadonlyMap<string, TargetGroup>,
): string {
  switch (action.Type) {
    case 'forward': {
      const tuples = action.ForwardConfig?.TargetGroups ?? [];
      const weighted = tuples.length > 1;
      const to = tuples
        .map((t) => {
          const name =
            t.TargetGroupId === undefined
              ? (t.TargetGroupArn ?? t.TargetGroupName ?? '?')
              : (targetGroups.get(t.TargetGroupId)?.service ?? t.TargetGroupId);
          return weighted ? `${name} (weight ${t.Weight ?? 1})` : name;
        })
        .join(', ');
      const stickiness = action.ForwardConfig?.TargetGroupStickinessConfig;
      const sticky =
        stickiness?.Enabled === true
          ? `, sticky${stickiness.DurationSeconds === undefined ? '' : ` ${stickiness.DurationSeconds}s`}`
          : '';
      return `forward to ${to}${sticky}`;
    }
    case 'fixed-response': {
      const config = action.FixedResponseConfig;
      const body =
        config?.MessageBody === undefined ? '' : ` ${JSON.stringify(config.MessageBody)}`;
      const type = config?.ContentType === undefined ? '' : ` ${config.ContentType}`;
      return `fixed-response ${config?.StatusCode ?? '?'}${type}${body}`;
    }
    case 'redirect': {
      const r = action.RedirectConfig;
      const parts = [
        r?.Protocol === undefined ? undefined : `protocol ${r.Protocol}`,
        r?.Host === undefined ? undefined : `host ${r.Host}`,
        r?.Port === undefined ? undefined : `port ${r.Port}`,
        r?.Path === undefined ? undefined : `path ${r.Path}`,
        r?.Query === undefined ? undefined : `query ${r.Query}`,
      ].filter((p) => p !== undefined);
      const code = r?.StatusCode === 'HTTP_302' ? '302' : '301';
      return `redirect ${code} ${parts.length === 0 ? '(unchanged)' : parts.join(', ')}`;
    }
    case 'authenticate-oidc': {
      const oidc = action.AuthenticateOidcConfig;
      const secret = oidc?.ClientSecretRef;
      return `authenticate-oidc ${oidc?.Issuer ?? '?'} client ${oidc?.ClientId ?? '?'}${secret === undefined ? '' : ` secret ${describeSecretRef(secret)}`} (${oidc?.OnUnauthenticatedRequest ?? 'authenticate'})`;
    }
    case 'authenticate-cognito': {
      const cognito = action.AuthenticateCognitoConfig;
      return `authenticate-cognito ${cognito?.UserPoolArn ?? '?'} (${cognito?.OnUnauthenticatedRequest ?? 'authenticate'})`;
    }
    case 'jwt-validation':
      return `jwt-validation issuer ${action.JwtValidationConfig?.Issuer ?? '?'} jwks ${action.JwtValidationConfig?.JwksEndpoint ?? '?'}`;
  }
}

export function describeActions(
  actions: readonly Action[],
  targetGroups: ReadonlyMap<string, TargetGroup>,
): string {
  return [...actions]
    .sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0))
    .map((a) => describeAction(a, targetGroups))
    .join(', then ');
}

export function describeTransform(transform: RuleTransform): string {
  const config =
    transform.Type === 'url-rewrite'
      ? transform.UrlRewriteConfig
      : transform.HostHeaderRewriteConfig;
  const rewrites = (config?.Rewrites ?? []).map((r) => `${r.Regex} → ${r.Replace}`).join(', ');
  return `${transform.Type === 'url-rewrite' ? 'rewrite path' : 'rewrite host'} ${rewrites}`;
}
