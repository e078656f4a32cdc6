/**
 * A reviewed plan shows everything apply sends to AWS. The fixture below sets every
 * field of every resource of the model (`satisfies Required<…>`: a field added to the
 * model does not compile here until it is set), each to a value found nowhere else; the
 * test then walks every value of the stack and looks for it in the text plan. A field
 * the text forgets fails, naming the field.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlanText } from '../../../pkg/cli/index.ts';
import type {
  HealthCheck,
  Listener,
  ListenerRule,
  LoadBalancer,
  LoadBalancerAddons,
  MutualAuthentication,
  SecurityGroup,
  SecurityGroupIngress,
  Stack,
  TargetGroup,
} from '../../../pkg/model/index.ts';
import { TAG_RESOURCE } from '../../../pkg/naming/index.ts';

const common = { 'albatross.dev/cluster': 'cl-common', 'albatross.dev/stack': 'st-common' };

const loadBalancer = {
  id: 'LoadBalancer',
  name: 'lb-name-1',
  scheme: 'internet-facing',
  ipAddressType: 'dualstack',
  subnets: { kind: 'listed', entries: ['subnet-entry-1'] },
  securityGroups: [{ kind: 'listed', entry: 'sg-entry-1' }],
  attributes: { 'lb-attr-key': 'lb-attr-value' },
  tags: { ...common, [TAG_RESOURCE]: 'LoadBalancer', 'lb-tag-key': 'lb-tag-value' },
  customerOwnedIpv4Pool: 'coip-pool-1',
  ipamIpv4PoolId: 'ipam-pool-1',
  minimumCapacityUnits: 4242,
} as const satisfies Required<LoadBalancer>;

const mutualAuthentication = {
  mode: 'verify',
  trustStore: 'trust-store-1',
  ignoreClientCertificateExpiry: true,
} as const satisfies Required<MutualAuthentication>;

const listener = {
  id: 'listener/8443',
  port: 8443,
  protocol: 'HTTPS',
  certificates: [{ certificateArn: 'arn:cert-1' }],
  certificateDiscovery: { hosts: ['discovered-host.example'], resolved: true },
  sslPolicy: 'ssl-policy-1',
  defaultActions: [
    {
      Type: 'fixed-response',
      FixedResponseConfig: { StatusCode: '418', ContentType: 'text/css', MessageBody: 'body-1' },
    },
  ],
  mutualAuthentication,
  attributes: { 'listener-attr-key': 'listener-attr-value' },
  tags: { ...common, [TAG_RESOURCE]: 'listener/8443', 'listener-tag-key': 'listener-tag-value' },
} as const satisfies Required<Listener>;

const healthCheck = {
  port: '7001',
  protocol: 'HTTPS',
  path: '/hc-path',
  intervalSeconds: 37,
  timeoutSeconds: 13,
  healthyThresholdCount: 7,
  unhealthyThresholdCount: 9,
  successCodes: '201-203',
} as const satisfies Required<HealthCheck>;

const targetGroup = {
  id: 'tg/ns/member/svc:80',
  name: 'tg-name-1',
  member: 'ns/member',
  service: 'ns/svc:80',
  targetType: 'ip',
  protocol: 'HTTPS',
  protocolVersion: 'GRPC',
  port: 8181,
  ipAddressType: 'ipv6',
  healthCheck,
  attributes: { 'tg-attr-key': 'tg-attr-value' },
  tags: { ...common, [TAG_RESOURCE]: 'tg/ns/member/svc:80', 'tg-tag-key': 'tg-tag-value' },
  targets: [{ id: '10.9.9.9', port: 8282 }],
  targetControlPort: 3131,
  multiCluster: true,
} as const satisfies Required<TargetGroup>;

const rule = {
  id: 'rule/8443/ns/member/abc',
  listenerId: 'listener/8443',
  priority: 17,
  member: 'ns/member',
  conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['rule-host.example'] } }],
  actions: [
    {
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [{ TargetGroupId: 'tg/ns/member/svc:80' }],
        TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 5151 },
      },
    },
  ],
  transforms: [
    {
      Type: 'url-rewrite',
      UrlRewriteConfig: { Rewrites: [{ Regex: '^/rx-1$', Replace: '/replace-1' }] },
    },
  ],
  tags: { ...common, [TAG_RESOURCE]: 'rule/8443/ns/member/abc', 'rule-tag-key': 'rule-tag-value' },
} as const satisfies Required<ListenerRule>;

const permission = {
  protocol: 'tcp',
  fromPort: 6101,
  toPort: 6102,
  cidrIpv4: '10.77.0.0/16',
  cidrIpv6: 'fd00:77::/64',
  prefixListId: 'pl-77',
  sourceGroupRef: 'sg-ref-77',
  description: 'permission-description-1',
} as const satisfies Required<SecurityGroupIngress>;

const securityGroup = {
  id: 'sg/frontend',
  name: 'sg-name-1',
  description: 'sg-description-1',
  // One source per permission, as the model requires: the others each in its own.
  ingress: [
    {
      protocol: 'tcp',
      fromPort: permission.fromPort,
      toPort: permission.toPort,
      cidrIpv4: permission.cidrIpv4,
      description: permission.description,
    },
    { protocol: 'tcp', fromPort: 6103, toPort: 6103, cidrIpv6: permission.cidrIpv6 },
    { protocol: 'tcp', fromPort: 6104, toPort: 6104, prefixListId: permission.prefixListId },
    { protocol: 'tcp', fromPort: 6105, toPort: 6105, sourceGroupRef: permission.sourceGroupRef },
  ],
  tags: { ...common, [TAG_RESOURCE]: 'sg/frontend', 'sg-tag-key': 'sg-tag-value' },
} as const satisfies Required<SecurityGroup>;

const addons = {
  wafv2: { kind: 'arn', arn: 'arn:wafv2-acl-1' },
  wafRegional: 'waf-regional-1',
  shieldAdvanced: true,
} as const satisfies Required<LoadBalancerAddons>;

const stack = {
  id: 'stack-1',
  members: ['ns/member'],
  frozenMembers: [],
  loadBalancer,
  listeners: [listener],
  rules: [rule],
  targetGroups: [targetGroup],
  securityGroups: [securityGroup],
  backendRules: [
    {
      id: 'backend/1',
      targetGroupId: targetGroup.id,
      securityGroupId: 'sg-backend-1',
      fromPort: 8282,
      toPort: 8282,
    },
  ],
  addons,
} as const satisfies Required<Stack>;

/**
 * Values not printed on purpose, each because the text shows it another way: ids (the
 * Changes list names resources by id; the resource tag is described once), references
 * by id (shown by what they point at), and booleans (shown as words, checked below).
 */
const NOT_LITERAL = new Set([
  'id',
  'listenerId',
  'targetGroupId',
  'TargetGroupId',
  'kind',
  'resolved',
  'Enabled',
  'ignoreClientCertificateExpiry',
  'multiCluster',
  'shieldAdvanced',
  'protocol',
  'Type',
  'Field',
]);

function leaves(value: unknown, path: string): [string, string][] {
  if (typeof value === 'boolean' || value === undefined) return [];
  if (typeof value === 'string' || typeof value === 'number') return [[path, String(value)]];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`));
  return Object.entries(value as object).flatMap(([key, inner]) => {
    if (NOT_LITERAL.has(key)) return [];
    // A tag's or attribute's key is as much a part of it as its value.
    const isMap = path.endsWith('.tags') || path.endsWith('.attributes');
    const here = `${path}.${key}`;
    if (key === TAG_RESOURCE) return [];
    return isMap ? [[`${here} (key)`, key], ...leaves(inner, here)] : leaves(inner, here);
  });
}

describe('the text plan shows every field apply sends', () => {
  const text = renderPlanText({ stacks: [stack], changes: [], problems: [], notes: [] });

  it('GIVEN a stack with every field of every resource set THEN every value appears in the text', () => {
    const missing = leaves(stack, 'stack').filter(([, value]) => !text.includes(value));
    assert.deepEqual(missing, [], text);
  });

  it('GIVEN the booleans and the protocols THEN each is shown in words', () => {
    for (const expected of [
      'HTTPS:8181 GRPC ipv6', // target group protocol, version, address type
      'health check: HTTPS 7001',
      'Listener HTTPS:8443',
      'expired client certificates accepted',
      'multi-cluster',
      'Shield Advanced on',
      'sticky 5151s',
      'tcp/6101-6102 from 10.77.0.0/16',
    ]) {
      assert.ok(text.includes(expected), `missing ${JSON.stringify(expected)} in\n${text}`);
    }
  });
});
