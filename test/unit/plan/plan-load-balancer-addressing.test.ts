/**
 * The planner on the ALB's address pools and capacity reservation: the IPAM pool changes
 * and goes in place, the capacity changes in place and is "don't care" when not wanted,
 * a customer-owned pool change replaces the ALB and says so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadBalancer } from '../../../pkg/model/index.ts';
import { planChanges } from '../../../pkg/plan/index.ts';
import { asApplied, loadBalancer, stack } from './builders.ts';

function planFor(want: Partial<LoadBalancer>, have: Partial<LoadBalancer>) {
  const actual = asApplied(stack({ loadBalancer: loadBalancer(have) }));
  return planChanges(stack({ loadBalancer: loadBalancer(want) }), actual)
    .filter((c) => c.kind === 'LoadBalancer')
    .map((c) => `${c.op}: ${c.reason}`);
}

describe('planChanges: load balancer pools and capacity', () => {
  const cases: readonly [
    string,
    Partial<LoadBalancer>,
    Partial<LoadBalancer>,
    readonly string[],
  ][] = [
    [
      'unchanged',
      { ipamIpv4PoolId: 'ipam-pool-1', minimumCapacityUnits: 100 },
      { ipamIpv4PoolId: 'ipam-pool-1', minimumCapacityUnits: 100 },
      [],
    ],
    [
      'new IPAM pool',
      { ipamIpv4PoolId: 'ipam-pool-2' },
      { ipamIpv4PoolId: 'ipam-pool-1' },
      ['update: ipamIpv4PoolId ipam-pool-1 → ipam-pool-2'],
    ],
    [
      'IPAM pool removed',
      {},
      { ipamIpv4PoolId: 'ipam-pool-1' },
      ['update: ipamIpv4PoolId ipam-pool-1 → (none)'],
    ],
    [
      'capacity set',
      { minimumCapacityUnits: 200 },
      {},
      ['update: minimumCapacityUnits (none) → 200'],
    ],
    [
      'capacity changed',
      { minimumCapacityUnits: 200 },
      { minimumCapacityUnits: 100 },
      ['update: minimumCapacityUnits 100 → 200'],
    ],
    ['capacity not wanted: left alone', {}, { minimumCapacityUnits: 100 }, []],
    [
      'capacity 0 over a reservation',
      { minimumCapacityUnits: 0 },
      { minimumCapacityUnits: 100 },
      ['update: minimumCapacityUnits 100 → 0'],
    ],
    ['capacity 0 and no reservation', { minimumCapacityUnits: 0 }, {}, []],
    [
      'customer-owned pool changed',
      { customerOwnedIpv4Pool: 'ipv4pool-coip-2' },
      { customerOwnedIpv4Pool: 'ipv4pool-coip-1' },
      [
        'replace: customerOwnedIpv4Pool changed ipv4pool-coip-1 → ipv4pool-coip-2 (set only at creation; new DNS name)',
      ],
    ],
    [
      'customer-owned pool removed',
      {},
      { customerOwnedIpv4Pool: 'ipv4pool-coip-1' },
      [
        'replace: customerOwnedIpv4Pool changed ipv4pool-coip-1 → (none) (set only at creation; new DNS name)',
      ],
    ],
  ];
  for (const [name, want, have, expected] of cases) {
    it(`GIVEN ${name} THEN ${expected.length === 0 ? 'nothing is planned' : expected.join('; ')}`, () => {
      assert.deepEqual(planFor(want, have), expected);
    });
  }
});
