/**
 * The flags that change what the controller builds (the pure core's TranslateConfig):
 * cluster name, the served class, the defaults, tags, rule order and the add-on
 * switches. `albatross controller` and `albatross plan` both take them, parsed by this
 * one reader, so a plan made with the cluster's flags is the stack the controller builds.
 */
import { AlbQuotas, type LoadBalancerQuotas } from '../model/index.ts';
import { DEFAULT_NODE_PORT_RANGE, type NodePortRange } from '../plan/index.ts';
import { defaultTranslateConfig, type TranslateConfig } from '../translate/env.ts';
import { booleanFlag, fail, flag, isDnsSubdomain, UsageError } from './flag-reader.ts';
import type { FlagSpec, Reader } from './flag-reader.ts';

export const TRANSLATE_FLAGS: readonly FlagSpec[] = [
  flag(
    'cluster-name',
    [],
    '(required)',
    'Name of the Kubernetes cluster; part of every ownership tag and name.',
  ),
  flag(
    'controller-name',
    [],
    defaultTranslateConfig.controllerName,
    'spec.controller of the IngressClasses this controller serves.',
  ),
  flag(
    'ingress-class',
    [],
    defaultTranslateConfig.ingressClass,
    'IngressClass name served (also matched by the legacy annotation).',
  ),
  flag(
    'default-scheme',
    [],
    defaultTranslateConfig.defaultScheme,
    'Scheme when an Ingress sets none: internal or internet-facing.',
  ),
  flag(
    'default-target-type',
    [],
    defaultTranslateConfig.defaultTargetType,
    'Target type when an Ingress sets none: instance or ip.',
  ),
  flag(
    'default-tags',
    [],
    '(none)',
    'Tags on every AWS resource: k=v,k2=v2 (not albatross.dev/ keys).',
  ),
  flag(
    'external-managed-tags',
    [],
    '(none)',
    'Tag keys managed outside the controller: never added, changed or removed (k1,k2).',
  ),
  flag(
    'default-ssl-policy',
    [],
    defaultTranslateConfig.defaultSslPolicy,
    'SSL policy of HTTPS listeners when an Ingress sets none.',
  ),
  flag(
    'rule-order',
    [],
    defaultTranslateConfig.ruleOrder,
    'Listener rule order: specification or reference.',
  ),
  flag(
    'allowed-certificate-authority-arns',
    [],
    '(any issuer)',
    'Certificate discovery attaches only certificates issued by these private CAs (comma-separated ARNs).',
  ),
  flag(
    'quota-rules-per-load-balancer',
    [],
    String(AlbQuotas.rulesPerLoadBalancer),
    "This account's quota of listener rules per ALB (default rules excluded), if not AWS's default.",
  ),
  flag(
    'quota-target-groups-per-load-balancer',
    [],
    String(AlbQuotas.targetGroupsPerLoadBalancer),
    "This account's quota of target groups per ALB, if not AWS's default.",
  ),
  booleanFlag('enable-wafv2', 'true', 'Manage WAFv2 web ACLs (wafv2-acl-arn, wafv2-acl-name).'),
  booleanFlag('enable-waf', 'true', 'Manage classic WAF Regional web ACLs (waf-acl-id).'),
  booleanFlag(
    'enable-shield',
    'true',
    'Manage Shield Advanced protection (shield-advanced-protection).',
  ),
];

export const NODE_PORT_RANGE_FLAG: FlagSpec = flag(
  'node-port-range',
  [],
  `${String(DEFAULT_NODE_PORT_RANGE.from)}-${String(DEFAULT_NODE_PORT_RANGE.to)}`,
  'NodePort range of the cluster: one backend rule per node security group admits it.',
);

/** Every flag that changes what the controller applies: the plan takes all of them. */
export const STACK_FLAGS: readonly FlagSpec[] = [...TRANSLATE_FLAGS, NODE_PORT_RANGE_FLAG];

/** `--node-port-range`: what the backend rules of instance targets open. */
export function readNodePortRange(r: Reader): NodePortRange {
  return r.value('node-port-range', DEFAULT_NODE_PORT_RANGE, (v) => {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(v);
    const from = Number(m?.[1]);
    const to = Number(m?.[2]);
    return m !== null && from >= 1 && from <= to && to <= 65535
      ? { from, to }
      : fail('a port range FROM-TO, 1 ≤ FROM ≤ TO ≤ 65535');
  });
}

/**
 * The TranslateConfig the flags give. `clusterName`: `required` for the controller; the
 * planner's default otherwise (offline it only feeds names and tags).
 */
export function readTranslateConfig(
  r: Reader,
  clusterName: { readonly required: true } | { readonly default: string },
): TranslateConfig {
  const parseClusterName = (v: string) =>
    /^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/.test(v)
      ? v
      : fail("1 to 63 letters, digits, '-', '_' or '.'");
  const cluster =
    'required' in clusterName
      ? r.required('cluster-name', parseClusterName)
      : r.value('cluster-name', clusterName.default, parseClusterName);
  const controllerName = r.value('controller-name', defaultTranslateConfig.controllerName, (v) =>
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/.test(v) &&
    v.length <= 250
      ? v
      : fail('a domain-prefixed path such as example.com/alb'),
  );
  const ingressClass = r.value('ingress-class', defaultTranslateConfig.ingressClass, (v) =>
    isDnsSubdomain(v) ? v : fail('a lower-case DNS subdomain name such as alb'),
  );
  const defaultScheme = r.value('default-scheme', defaultTranslateConfig.defaultScheme, (v) =>
    v === 'internal' || v === 'internet-facing' ? v : fail('internal or internet-facing'),
  );
  const defaultTargetType = r.value(
    'default-target-type',
    defaultTranslateConfig.defaultTargetType,
    (v) => (v === 'instance' || v === 'ip' ? v : fail('instance or ip')),
  );
  const defaultTags = r.value('default-tags', {}, parseTags);
  const externalManagedTags = r.optional('external-managed-tags', parseTagKeys);
  const overlap = Object.keys(defaultTags).filter((k) => externalManagedTags?.includes(k));
  if (overlap.length > 0) {
    throw new UsageError(
      `--default-tags may not set a key listed in --external-managed-tags, not '${overlap.join(',')}'`,
    );
  }
  const defaultSslPolicy = r.value(
    'default-ssl-policy',
    defaultTranslateConfig.defaultSslPolicy,
    (v) => (/^[A-Za-z0-9-]{1,128}$/.test(v) ? v : fail('an ELB security policy name')),
  );
  const ruleOrder = r.value('rule-order', defaultTranslateConfig.ruleOrder, (v) =>
    v === 'specification' || v === 'reference' ? v : fail('specification or reference'),
  );
  const allowedCertificateAuthorityArns = r.value<readonly string[]>(
    'allowed-certificate-authority-arns',
    [],
    parseCertificateAuthorityArns,
  );
  const quota = (name: string, byDefault: number) =>
    r.value(name, byDefault, (v) => {
      const n = Number(v);
      return /^\d+$/.test(v) && n >= 1 && n <= 10_000 ? n : fail('an integer from 1 to 10000');
    });
  const quotas: LoadBalancerQuotas = {
    ...AlbQuotas,
    rulesPerLoadBalancer: quota('quota-rules-per-load-balancer', AlbQuotas.rulesPerLoadBalancer),
    targetGroupsPerLoadBalancer: quota(
      'quota-target-groups-per-load-balancer',
      AlbQuotas.targetGroupsPerLoadBalancer,
    ),
  };
  const addons = {
    wafv2: r.boolean('enable-wafv2', true),
    waf: r.boolean('enable-waf', true),
    shield: r.boolean('enable-shield', true),
  };
  return {
    clusterName: cluster,
    controllerName,
    ingressClass,
    defaultScheme,
    defaultTargetType,
    defaultTags,
    defaultSslPolicy,
    ruleOrder,
    ...(externalManagedTags === undefined ? {} : { externalManagedTags }),
    ...(allowedCertificateAuthorityArns.length > 0 ? { allowedCertificateAuthorityArns } : {}),
    addons,
    // Only when a flag changed one: a default config stays as it was (and plans the same).
    ...(quotas.rulesPerLoadBalancer !== AlbQuotas.rulesPerLoadBalancer ||
    quotas.targetGroupsPerLoadBalancer !== AlbQuotas.targetGroupsPerLoadBalancer
      ? { quotas }
      : {}),
  };
}

function parseCertificateAuthorityArns(v: string): readonly string[] {
  const arns = v
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  return arns.length > 0 &&
    arns.every((a) =>
      /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[\w-]+$/.test(a),
    )
    ? arns
    : fail(
        'comma-separated AWS Private CA ARNs such as arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/0123abcd-…',
      );
}

const reservedTagPrefix = 'albatross.dev/';

function parseTags(v: string): Readonly<Record<string, string>> {
  const tags: Record<string, string> = {};
  for (const pair of v.split(',')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair.trim() : pair.slice(0, eq).trim();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (eq < 0 || key === '') fail('comma-separated key=value pairs such as team=web,env=prod');
    if (key.startsWith(reservedTagPrefix)) {
      fail(`tags whose keys do not start with ${reservedTagPrefix} (the ownership tags)`);
    }
    if (key.toLowerCase().startsWith('aws:')) fail('tags whose keys do not start with aws:');
    if (key.length > 128 || value.length > 256) {
      fail('tags with keys of at most 128 and values of at most 256 characters');
    }
    if (Object.hasOwn(tags, key)) fail(`key=value pairs with distinct keys ('${key}' repeats)`);
    tags[key] = value;
  }
  return tags;
}

function parseTagKeys(v: string): readonly string[] {
  const keys = v
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (keys.length === 0) fail('a comma-separated list of tag keys such as CostCenter,Owner');
  for (const key of keys) {
    if (key.startsWith(reservedTagPrefix)) {
      fail(`tag keys that do not start with ${reservedTagPrefix} (the ownership tags)`);
    }
    if (key.length > 128) fail('tag keys of at most 128 characters');
  }
  return [...new Set(keys)];
}
