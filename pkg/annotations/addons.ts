/**
 * The add-on annotations: `wafv2-acl-arn`, `wafv2-acl-name`, `waf-acl-id` (or `web-acl-id`),
 * `shield-advanced-protection`. Absent leaves the ALB's association alone; `none` (WAF)
 * or `false` (Shield) removes it.
 */
import type { Wafv2Acl } from '../model/index.ts';
import { albAnnotation, bad, ok, readAnnotation } from './parsed.ts';
import type { AnnotationError, AnnotationMap, Parsed } from './parsed.ts';
import { parseBool } from './primitives.ts';

export interface AddonAnnotations {
  readonly wafv2: Wafv2Acl | undefined;
  /** Web ACL id, or `null` for `none`. */
  readonly wafRegional: string | null | undefined;
  readonly shieldAdvanced: boolean | undefined;
}

const WAFV2_ARN = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]{1,128}\/[\w-]+$/;

export function parseWafv2AclArn(raw: string): Parsed<Wafv2Acl> {
  if (raw === 'none') return ok({ kind: 'none' });
  return WAFV2_ARN.test(raw)
    ? ok({ kind: 'arn', arn: raw })
    : bad(
        "must be a REGIONAL WAFv2 web ACL ARN (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>) or 'none'",
      );
}

export function parseWafv2AclName(raw: string): Parsed<Wafv2Acl> {
  if (raw === 'none') return ok({ kind: 'none' });
  return /^[\w-]{1,128}$/.test(raw)
    ? ok({ kind: 'name', name: raw })
    : bad("must be a WAFv2 web ACL name (1 to 128 letters, digits, '_' or '-') or 'none'");
}

export function parseWafAclId(raw: string): Parsed<string | null> {
  if (raw === 'none') return ok(null);
  return /^[0-9a-zA-Z-]{1,128}$/.test(raw)
    ? ok(raw)
    : bad("must be a WAF Regional web ACL id (letters, digits and '-') or 'none'");
}

export function readAddonAnnotations(
  annotations: AnnotationMap | undefined,
  errors: AnnotationError[],
): AddonAnnotations {
  const byArn = readAnnotation(
    annotations,
    albAnnotation('wafv2-acl-arn'),
    parseWafv2AclArn,
    errors,
  );
  const byName = readAnnotation(
    annotations,
    albAnnotation('wafv2-acl-name'),
    parseWafv2AclName,
    errors,
  );
  let wafv2 = byArn ?? byName;
  if (byArn !== undefined && byName !== undefined) {
    errors.push({
      field: albAnnotation('wafv2-acl-name'),
      value: annotations?.[albAnnotation('wafv2-acl-name')] ?? '',
      message: 'is given together with wafv2-acl-arn; give one of the two',
    });
    wafv2 = undefined;
  }
  return {
    wafv2,
    wafRegional: readAnnotation(annotations, wafAclIdField(annotations), parseWafAclId, errors),
    shieldAdvanced: readAnnotation(
      annotations,
      albAnnotation('shield-advanced-protection'),
      parseBool,
      errors,
    ),
  };
}

/**
 * `waf-acl-id`, or else its deprecated name `web-acl-id`, which the reference still reads
 * (manifests from its v1 days carry it).
 */
function wafAclIdField(annotations: AnnotationMap | undefined): string {
  const current = albAnnotation('waf-acl-id');
  const legacy = albAnnotation('web-acl-id');
  return annotations !== undefined &&
    !Object.hasOwn(annotations, current) &&
    Object.hasOwn(annotations, legacy)
    ? legacy
    : current;
}
