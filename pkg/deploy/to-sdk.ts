/**
 * Model → SDK shapes. The model keeps rule conditions, actions and transforms in the
 * ELBv2 API's own shapes, so most of this is a copy that drops `readonly`; the one real
 * translation is a forward's target group, named in the model by stack id or name and on
 * the wire by ARN.
 */
import type {
  Action as SdkAction,
  RuleCondition as SdkRuleCondition,
  RuleTransform as SdkRuleTransform,
  TargetGroupTuple as SdkTargetGroupTuple,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Action,
  Attributes,
  HealthCheck,
  RuleCondition,
  RuleTransform,
  Tags,
  TargetGroupTuple,
} from '../model/index.ts';

/** `T` with every `readonly` removed, all the way down: what the SDK's input types want. */
export type Thawed<T> = T extends readonly (infer U)[]
  ? Thawed<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Thawed<T[K]> }
    : T;

/** A deep copy the SDK may hold on to (and mutate) without touching our plan. */
export function thaw<T>(value: T): Thawed<T> {
  return structuredClone(value) as Thawed<T>;
}

export function toSdkTags(tags: Tags): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function toSdkAttributes(attributes: Attributes): { Key: string; Value: string }[] {
  return Object.entries(attributes).map(([Key, Value]) => ({ Key, Value }));
}

export function toSdkConditions(conditions: readonly RuleCondition[]): SdkRuleCondition[] {
  return conditions.map((condition) => thaw(condition));
}

export function toSdkTransforms(transforms: readonly RuleTransform[]): SdkRuleTransform[] {
  return transforms.map((transform) => thaw(transform));
}

function dropSecretRef<T extends { AuthenticateOidcConfig?: object }>(action: T): T {
  const oidc = action.AuthenticateOidcConfig;
  if (oidc === undefined || !('ClientSecretRef' in oidc)) return action;
  const config = Object.fromEntries(
    Object.entries(oidc).filter(([key]) => key !== 'ClientSecretRef'),
  ) as T['AuthenticateOidcConfig'];
  return { ...action, AuthenticateOidcConfig: config };
}

/** Turns a forward's target group (ours by id, foreign by name or ARN) into its ARN. */
export type TargetGroupArnOf = (tuple: TargetGroupTuple) => string;

export function toSdkActions(actions: readonly Action[], arnOf: TargetGroupArnOf): SdkAction[] {
  return actions.map((action) => {
    const { ForwardConfig: forward, ...all } = thaw(action);
    // A secret reference is ours, not the API's: auth-secrets.ts puts the value in its place.
    const rest = dropSecretRef(all);
    if (action.ForwardConfig === undefined || forward === undefined) return rest;
    const TargetGroups: SdkTargetGroupTuple[] = action.ForwardConfig.TargetGroups.map((tuple) => ({
      TargetGroupArn: arnOf(tuple),
      ...(tuple.Weight === undefined ? {} : { Weight: tuple.Weight }),
    }));
    return { ...rest, ForwardConfig: { ...forward, TargetGroups } };
  });
}

/** The health-check fields of CreateTargetGroup and ModifyTargetGroup. */
export function toSdkHealthCheck(
  healthCheck: HealthCheck,
  protocolVersion: string,
  only?: ReadonlySet<keyof HealthCheck>,
): {
  HealthCheckPort?: string;
  HealthCheckProtocol?: 'HTTP' | 'HTTPS';
  HealthCheckPath?: string;
  HealthCheckIntervalSeconds?: number;
  HealthCheckTimeoutSeconds?: number;
  HealthyThresholdCount?: number;
  UnhealthyThresholdCount?: number;
  Matcher?: { HttpCode?: string; GrpcCode?: string };
} {
  const want = (field: keyof HealthCheck) => only === undefined || only.has(field);
  return {
    ...(want('port') ? { HealthCheckPort: healthCheck.port } : {}),
    ...(want('protocol') ? { HealthCheckProtocol: healthCheck.protocol } : {}),
    ...(want('path') ? { HealthCheckPath: healthCheck.path } : {}),
    ...(want('intervalSeconds') ? { HealthCheckIntervalSeconds: healthCheck.intervalSeconds } : {}),
    ...(want('timeoutSeconds') ? { HealthCheckTimeoutSeconds: healthCheck.timeoutSeconds } : {}),
    ...(want('healthyThresholdCount')
      ? { HealthyThresholdCount: healthCheck.healthyThresholdCount }
      : {}),
    ...(want('unhealthyThresholdCount')
      ? { UnhealthyThresholdCount: healthCheck.unhealthyThresholdCount }
      : {}),
    ...(want('successCodes')
      ? {
          Matcher:
            protocolVersion === 'GRPC'
              ? { GrpcCode: healthCheck.successCodes }
              : { HttpCode: healthCheck.successCodes },
        }
      : {}),
  };
}
