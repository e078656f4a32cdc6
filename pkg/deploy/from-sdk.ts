/**
 * SDK → model shapes, for discovery. AWS reports more than we set (a forward's weight
 * and stickiness, an action's order, legacy `Values` next to the typed condition
 * configs); the model keeps what AWS reports in the API's shapes, so the planner's
 * "don't care" rules decide what matters. A forward to one of our target groups is named
 * by its stack id; any other ARN stays an ARN, so it never matches a stack id.
 */
import type { IpPermission, Tag as Ec2Tag } from '@aws-sdk/client-ec2';
import type {
  Action as SdkAction,
  RuleCondition as SdkRuleCondition,
  RuleTransform as SdkRuleTransform,
  Tag as SdkTag,
  TargetGroup as SdkTargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  Action,
  Attributes,
  ConditionField,
  HealthCheck,
  RuleCondition,
  RuleTransform,
  SecurityGroupIngress,
  Tags,
  TargetGroupTuple,
} from '../model/index.ts';
import { ConditionFields } from '../model/index.ts';

/**
 * AWS echoes back what it validated on the way in, in the shapes the model copies; a
 * JSON round trip drops the SDK's `undefined` members, which the model (with
 * exactOptionalPropertyTypes) does not allow.
 */
function fromWire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

export function fromSdkTags(tags: readonly (SdkTag | Ec2Tag)[] | undefined): Tags {
  const out: Record<string, string> = {};
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) out[tag.Key] = tag.Value ?? '';
  }
  return out;
}

export function fromSdkAttributes(
  attributes: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined,
): Attributes {
  const out: Record<string, string> = {};
  for (const attribute of attributes ?? []) {
    if (attribute.Key !== undefined) out[attribute.Key] = attribute.Value ?? '';
  }
  return out;
}

function isConditionField(field: string | undefined): field is ConditionField {
  return (ConditionFields as readonly (string | undefined)[]).includes(field);
}

/** Typed configs only; a rule made with the legacy `Values` gets its typed twin. */
export function fromSdkConditions(conditions: readonly SdkRuleCondition[] | undefined) {
  const out: RuleCondition[] = [];
  for (const condition of conditions ?? []) {
    const { Field, Values, ...typed } = condition;
    if (!isConditionField(Field)) continue;
    const converted = fromWire({ Field, ...typed }) as RuleCondition;
    if (Values !== undefined && Values.length > 0) {
      if (Field === 'host-header' && converted.HostHeaderConfig === undefined) {
        out.push({ ...converted, HostHeaderConfig: { Values: [...Values] } });
        continue;
      }
      if (Field === 'path-pattern' && converted.PathPatternConfig === undefined) {
        out.push({ ...converted, PathPatternConfig: { Values: [...Values] } });
        continue;
      }
    }
    out.push(converted);
  }
  return out;
}

/** Maps one of our target groups' ARNs to its stack id; `undefined` for any other. */
export type TargetGroupIdOf = (arn: string) => string | undefined;

function tupleOf(arn: string, weight: number | undefined, idOf: TargetGroupIdOf) {
  const id = idOf(arn);
  const tuple: TargetGroupTuple =
    id === undefined ? { TargetGroupArn: arn } : { TargetGroupId: id };
  return weight === undefined ? tuple : { ...tuple, Weight: weight };
}

/** A forward is always reported as a `ForwardConfig`, whichever form AWS used. */
export function fromSdkActions(
  actions: readonly SdkAction[] | undefined,
  idOf: TargetGroupIdOf,
): Action[] {
  return (actions ?? []).map((action) => {
    const { TargetGroupArn, ForwardConfig, ...rest } = action;
    const converted = fromWire(rest) as Action;
    if (action.Type !== 'forward') return converted;
    const tuples =
      ForwardConfig?.TargetGroups !== undefined && ForwardConfig.TargetGroups.length > 0
        ? ForwardConfig.TargetGroups.flatMap((t) =>
            t.TargetGroupArn === undefined ? [] : [tupleOf(t.TargetGroupArn, t.Weight, idOf)],
          )
        : TargetGroupArn === undefined
          ? []
          : [tupleOf(TargetGroupArn, undefined, idOf)];
    const stickiness = ForwardConfig?.TargetGroupStickinessConfig;
    return {
      ...converted,
      ForwardConfig: {
        TargetGroups: tuples,
        ...(stickiness?.Enabled === undefined
          ? {}
          : {
              TargetGroupStickinessConfig: {
                Enabled: stickiness.Enabled,
                ...(stickiness.DurationSeconds === undefined
                  ? {}
                  : { DurationSeconds: stickiness.DurationSeconds }),
              },
            }),
      },
    };
  });
}

export function fromSdkTransforms(
  transforms: readonly SdkRuleTransform[] | undefined,
): RuleTransform[] {
  return fromWire(transforms ?? []) as RuleTransform[];
}

export function fromSdkHealthCheck(tg: SdkTargetGroup): HealthCheck {
  return {
    port: tg.HealthCheckPort ?? 'traffic-port',
    protocol: tg.HealthCheckProtocol === 'HTTPS' ? 'HTTPS' : 'HTTP',
    path: tg.HealthCheckPath ?? '/',
    intervalSeconds: tg.HealthCheckIntervalSeconds ?? 0,
    timeoutSeconds: tg.HealthCheckTimeoutSeconds ?? 0,
    healthyThresholdCount: tg.HealthyThresholdCount ?? 0,
    unhealthyThresholdCount: tg.UnhealthyThresholdCount ?? 0,
    successCodes: tg.Matcher?.GrpcCode ?? tg.Matcher?.HttpCode ?? '',
  };
}

/** Maps a source group's `sg-…` to a stack id (`shared-backend`, a managed group's id). */
export type SourceGroupRefOf = (groupId: string) => string;

/** One SecurityGroupIngress per source, as the model lists them. */
export function fromSdkPermissions(
  permissions: readonly IpPermission[] | undefined,
  refOf: SourceGroupRefOf,
): SecurityGroupIngress[] {
  const out: SecurityGroupIngress[] = [];
  for (const p of permissions ?? []) {
    const protocol = p.IpProtocol === '-1' ? '-1' : 'tcp';
    if (p.IpProtocol !== '-1' && p.IpProtocol !== 'tcp' && p.IpProtocol !== '6') continue;
    const base = { protocol, fromPort: p.FromPort ?? -1, toPort: p.ToPort ?? -1 } as const;
    const described = (description: string | undefined) =>
      description === undefined || description === '' ? {} : { description };
    for (const r of p.IpRanges ?? []) {
      if (r.CidrIp !== undefined)
        out.push({ ...base, cidrIpv4: r.CidrIp, ...described(r.Description) });
    }
    for (const r of p.Ipv6Ranges ?? []) {
      if (r.CidrIpv6 !== undefined) {
        out.push({ ...base, cidrIpv6: r.CidrIpv6, ...described(r.Description) });
      }
    }
    for (const r of p.PrefixListIds ?? []) {
      if (r.PrefixListId !== undefined) {
        out.push({ ...base, prefixListId: r.PrefixListId, ...described(r.Description) });
      }
    }
    for (const r of p.UserIdGroupPairs ?? []) {
      if (r.GroupId !== undefined) {
        out.push({ ...base, sourceGroupRef: refOf(r.GroupId), ...described(r.Description) });
      }
    }
  }
  return out;
}
