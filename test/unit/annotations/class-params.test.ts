/**
 * IngressClassParams spec → the annotation values it imposes, its typed fields, and
 * errors that name `IngressClassParams <name>: spec.<field>`, the value and what is allowed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  overlayAnnotations,
  parseClassParams,
  selectorMatches,
} from '../../../pkg/annotations/index.ts';
import type { LabelSelector } from '../../../pkg/annotations/index.ts';

const A = 'alb.ingress.kubernetes.io/';

describe('parseClassParams', () => {
  it('GIVEN every annotation-backed field THEN each becomes the value of the annotation it overrides', () => {
    const { value, errors } = parseClassParams('p', {
      loadBalancerName: 'edge',
      certificateArn: [
        'arn:aws:acm:eu-west-1:1:certificate/a',
        'arn:aws:acm:eu-west-1:1:certificate/b',
      ],
      scheme: 'internet-facing',
      ipAddressType: 'dualstack',
      inboundCIDRs: ['10.0.0.0/8', '::/0'],
      prefixListsIDs: ['pl-0a1'],
      sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      sslRedirectPort: 443,
      subnets: { ids: ['subnet-0a', 'subnet-0b'] },
      targetType: 'ip',
      loadBalancerAttributes: [{ key: 'idle_timeout.timeout_seconds', value: '60' }],
      listeners: [
        {
          protocol: 'HTTPS',
          port: 443,
          listenerAttributes: [{ key: 'routing.http.response.server.enabled', value: 'false' }],
        },
      ],
      minimumLoadBalancerCapacity: { capacityUnits: 200 },
      ipamConfiguration: { ipv4IPAMPoolId: 'ipam-pool-0abc' },
      wafv2AclArn: 'arn:aws:wafv2:eu-west-1:1:regional/webacl/a/b',
      wafv2AclName: 'edge-acl',
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(value.annotations, {
      [`${A}load-balancer-name`]: 'edge',
      [`${A}certificate-arn`]:
        'arn:aws:acm:eu-west-1:1:certificate/a,arn:aws:acm:eu-west-1:1:certificate/b',
      [`${A}scheme`]: 'internet-facing',
      [`${A}ip-address-type`]: 'dualstack',
      [`${A}inbound-cidrs`]: '10.0.0.0/8,::/0',
      [`${A}security-group-prefix-lists`]: 'pl-0a1',
      [`${A}ssl-policy`]: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      [`${A}ssl-redirect`]: '443',
      [`${A}subnets`]: 'subnet-0a,subnet-0b',
      [`${A}target-type`]: 'ip',
      [`${A}load-balancer-attributes`]: 'idle_timeout.timeout_seconds=60',
      [`${A}listener-attributes.HTTPS-443`]: 'routing.http.response.server.enabled=false',
      [`${A}minimum-load-balancer-capacity`]: 'CapacityUnits=200',
      [`${A}ipam-ipv4-pool-id`]: 'ipam-pool-0abc',
      [`${A}wafv2-acl-arn`]: 'arn:aws:wafv2:eu-west-1:1:regional/webacl/a/b',
      [`${A}wafv2-acl-name`]: 'edge-acl',
    });
    // Only the target-group settings reach a Service's annotations.
    assert.deepEqual(value.serviceAnnotations, { [`${A}target-type`]: 'ip' });
  });

  it('GIVEN group, tags, subnet tags and a selector THEN they are returned typed', () => {
    const { value, errors } = parseClassParams('p', {
      group: { name: 'shared' },
      tags: [
        { key: 'team', value: 'edge' },
        { key: 'env', value: '' },
      ],
      subnets: { tags: { tier: ['public', 'edge'] } },
      namespaceSelector: {
        matchLabels: { team: 'a' },
        matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }],
      },
      PrefixListsIDs: ['pl-0a2'],
    });
    assert.deepEqual(errors, []);
    assert.equal(value.groupName, 'shared');
    assert.deepEqual(value.tags, { team: 'edge', env: '' });
    assert.deepEqual(value.subnetTags, { tier: ['public', 'edge'] });
    assert.deepEqual(value.namespaceSelector?.matchLabels, { team: 'a' });
    // The pre-v2.13 spelling is still read.
    assert.equal(value.annotations[`${A}security-group-prefix-lists`], 'pl-0a2');
  });

  it('GIVEN bad values THEN each error names the params field, the value and what is allowed, and the good fields still apply', () => {
    const { value, errors } = parseClassParams('edge', {
      scheme: 'public',
      inboundCIDRs: ['10.0.0.0/33'],
      tags: [{ key: 'albatross.dev/stack', value: 'x' }],
      group: { name: 'Not_Valid' },
      subnets: { ids: ['subnet-0a'], tags: { a: ['b'] } },
      sslRedirectPort: 'https',
      namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In' }] },
      ipAddressType: 'ipv4',
    });
    const byField = new Map(errors.map((e) => [e.field, e]));
    assert.deepEqual([...byField.keys()].sort(), [
      'IngressClassParams edge: spec.group.name',
      'IngressClassParams edge: spec.inboundCIDRs',
      'IngressClassParams edge: spec.namespaceSelector.matchExpressions[0].values',
      'IngressClassParams edge: spec.scheme',
      'IngressClassParams edge: spec.sslRedirectPort',
      'IngressClassParams edge: spec.subnets',
      'IngressClassParams edge: spec.tags',
    ]);
    assert.equal(byField.get('IngressClassParams edge: spec.scheme')?.value, 'public');
    assert.match(
      byField.get('IngressClassParams edge: spec.scheme')?.message ?? '',
      /'internal', 'internet-facing'/,
    );
    assert.match(
      byField.get('IngressClassParams edge: spec.tags')?.message ?? '',
      /ownership tags/,
    );
    assert.match(
      byField.get('IngressClassParams edge: spec.subnets')?.message ?? '',
      /exactly one of ids and tags/,
    );
    assert.equal(value.annotations[`${A}ip-address-type`], 'ipv4');
    assert.equal(value.annotations[`${A}scheme`], undefined);
  });
});

describe('selectorMatches', () => {
  const selector = (s: Partial<LabelSelector>): LabelSelector => ({
    matchLabels: {},
    matchExpressions: [],
    ...s,
  });
  it('evaluates matchLabels and every operator as Kubernetes does', () => {
    const labels = { team: 'a', env: 'prod' };
    assert.ok(selectorMatches(selector({}), labels));
    assert.ok(selectorMatches(selector({ matchLabels: { team: 'a' } }), labels));
    assert.ok(!selectorMatches(selector({ matchLabels: { team: 'b' } }), labels));
    const expr = (operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values: string[] = []) =>
      selector({ matchExpressions: [{ key: 'env', operator, values }] });
    assert.ok(selectorMatches(expr('In', ['prod', 'stage']), labels));
    assert.ok(!selectorMatches(expr('In', ['stage']), labels));
    assert.ok(selectorMatches(expr('NotIn', ['stage']), labels));
    assert.ok(!selectorMatches(expr('NotIn', ['prod']), labels));
    assert.ok(selectorMatches(expr('NotIn', ['prod']), {}));
    assert.ok(selectorMatches(expr('Exists'), labels));
    assert.ok(!selectorMatches(expr('Exists'), {}));
    assert.ok(selectorMatches(expr('DoesNotExist'), {}));
    assert.ok(!selectorMatches(expr('DoesNotExist'), labels));
  });
});

describe('overlayAnnotations', () => {
  it('replaces plain annotations and merges attribute maps key by key, params winning', () => {
    const { value } = parseClassParams('p', {
      scheme: 'internet-facing',
      loadBalancerAttributes: [{ key: 'idle_timeout.timeout_seconds', value: '120' }],
    });
    const out = overlayAnnotations(
      {
        [`${A}scheme`]: 'internal',
        [`${A}load-balancer-attributes`]:
          'idle_timeout.timeout_seconds=30,routing.http2.enabled=false',
        [`${A}healthcheck-path`]: '/ping',
      },
      value,
    );
    assert.deepEqual(out, {
      [`${A}scheme`]: 'internet-facing',
      [`${A}load-balancer-attributes`]:
        'idle_timeout.timeout_seconds=120,routing.http2.enabled=false',
      [`${A}healthcheck-path`]: '/ping',
    });
  });
});
