/**
 * The applied tag's encoding: what a restart reads back must be exactly what was
 * written, and anything else (too long, malformed, foreign, another version) is "no tag",
 * never an exception.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  APPLIED_TAG_VALUE_MAX,
  decodeApplied,
  dnsDigest,
  encodeApplied,
  listenerArnOf,
} from '../../../pkg/deploy/index.ts';
import type { ActualStack } from '../../../pkg/model/index.ts';
import { asApplied, listener, stack } from '../plan/builders.ts';

const LB_ARN =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/k8s-shop-1a2b3c/50dc6c495c0c9188';
const fingerprint = createHash('sha256').update('desired').digest('base64url');

function applied(ports: readonly number[]): ActualStack {
  const desired = stack({ listeners: ports.map((p) => listener(p)), rules: [], backendRules: [] });
  const base = asApplied(desired);
  const lb = base.loadBalancer;
  assert.ok(lb !== null);
  return {
    ...base,
    loadBalancer: {
      ...lb,
      arn: LB_ARN,
      dnsName: 'k8s-shop-1a2b3c-123.eu-west-1.elb.amazonaws.com',
    },
    listeners: base.listeners.map((l, i) => ({
      ...l,
      arn: listenerArnOf(LB_ARN, `${String(i).padStart(2, '0')}aa3f0e8b5d6c7b`),
    })),
    securityGroups: base.securityGroups.map((sg) => ({ ...sg, groupId: 'sg-0123456789abcdef0' })),
  };
}

describe('applied tag', () => {
  it('GIVEN a stack as an apply left it WHEN encoded and decoded THEN the ids come back', () => {
    const encoded = encodeApplied(applied([80, 443]), fingerprint);
    assert.ok('value' in encoded);
    assert.ok(encoded.value.length <= APPLIED_TAG_VALUE_MAX);
    // Only characters ELBv2 takes in a tag value.
    assert.match(encoded.value, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u);
    const record = decodeApplied(encoded.value);
    assert.ok(!('unusable' in record));
    assert.equal(record.fingerprint, fingerprint);
    assert.equal(record.dnsDigest, dnsDigest('K8S-shop-1a2b3c-123.eu-west-1.elb.amazonaws.com'));
    assert.deepEqual(
      [...record.listenerIds],
      [
        [80, '00aa3f0e8b5d6c7b'],
        [443, '01aa3f0e8b5d6c7b'],
      ],
    );
    assert.deepEqual(record.securityGroupIds, ['sg-0123456789abcdef0']);
    // A listener ARN is the load balancer's with its id: no DescribeListeners needed.
    assert.equal(
      listenerArnOf(LB_ARN, '00aa3f0e8b5d6c7b'),
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/k8s-shop-1a2b3c/50dc6c495c0c9188/00aa3f0e8b5d6c7b',
    );
  });

  it('GIVEN too many listeners for 256 characters WHEN encoded THEN there is no tag, and why', () => {
    const encoded = encodeApplied(applied([80, 81, 82, 83, 84, 85, 86, 87, 88, 89]), fingerprint);
    assert.ok('unrecordable' in encoded);
    assert.match(encoded.unrecordable, /283 characters, over the 256 of a tag value/);
  });

  it('GIVEN a listener ARN not derived from the load balancer ARN WHEN encoded THEN there is no tag', () => {
    const stackNow = applied([80]);
    const odd = {
      ...stackNow,
      listeners: stackNow.listeners.map((l) => ({ ...l, arn: 'arn:other/x' })),
    };
    assert.ok('unrecordable' in encodeApplied(odd, fingerprint));
  });

  const unusable: [string, string | undefined][] = [
    ['absent', undefined],
    ['empty', ''],
    ['foreign', 'set by a person'],
    ['another version', `v2 ${fingerprint} d=abcdefgh l= sg=`],
    ['a short fingerprint', 'v1 abc d=abcdefgh l= sg='],
    ['a bad digest', `v1 ${fingerprint} d=abc l= sg=`],
    ['a bad listener', `v1 ${fingerprint} d=abcdefgh l=80 sg=`],
    ['a listener twice', `v1 ${fingerprint} d=abcdefgh l=80:ab/80:cd sg=`],
    ['a bad security group', `v1 ${fingerprint} d=abcdefgh l=80:ab sg=group`],
    ['a field missing', `v1 ${fingerprint} d=abcdefgh l=80:ab`],
    ['a field too many', `v1 ${fingerprint} d=abcdefgh l=80:ab sg= x=1`],
    ['too long', `v1 ${fingerprint} ${'x'.repeat(300)}`],
  ];
  for (const [name, value] of unusable) {
    it(`GIVEN a value that is ${name} WHEN decoded THEN it is no tag, with a reason`, () => {
      const record = decodeApplied(value);
      assert.ok('unusable' in record, JSON.stringify(record));
      assert.ok(record.unusable.length > 0);
    });
  }

  it('GIVEN a stack with no listener and no managed security group WHEN round-tripped THEN both lists are empty', () => {
    const bare = { ...applied([]), securityGroups: [] };
    const encoded = encodeApplied(bare, fingerprint);
    assert.ok('value' in encoded);
    const record = decodeApplied(encoded.value);
    assert.ok(!('unusable' in record));
    assert.equal(record.listenerIds.size, 0);
    assert.deepEqual(record.securityGroupIds, []);
  });
});
