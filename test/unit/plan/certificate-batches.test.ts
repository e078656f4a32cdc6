/**
 * A listener's SNI certificates change within the quota of 25: for random certificate
 * sets, the add and remove calls in `certificateBatches` order never hold more than 25 on
 * the way and end with the wanted set; while there is room the adds come first, so a
 * host whose certificate is swapped always has one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { certificateBatches } from '../../../pkg/plan/index.ts';

const POOL = Array.from({ length: 40 }, (_, i) => `arn:aws:acm:eu-west-1:1:certificate/c${i}`);
const set = fc.shuffledSubarray(POOL, { minLength: 0, maxLength: 25 });

describe('SNI certificate changes within the quota', () => {
  it('GIVEN random current and wanted certificate sets THEN no call takes the listener past 25 and the end set is the wanted one', () => {
    fc.assert(
      fc.property(set, set, (have, want) => {
        const add = want.filter((c) => !have.includes(c));
        const remove = have.filter((c) => !want.includes(c));
        const held = new Set(have);
        const batches = certificateBatches(held.size, add, remove);
        for (const batch of batches) {
          if ('add' in batch) for (const c of batch.add) held.add(c);
          else for (const c of batch.remove) held.delete(c);
          assert.ok(held.size <= 25, `${held.size} certificates on the listener`);
        }
        assert.deepEqual([...held].sort(), [...want].sort());
        if (have.length + add.length <= 25 && add.length > 0) {
          assert.ok('add' in (batches[0] ?? {}), 'adds first while there is room');
        }
      }),
      { numRuns: 300 },
    );
  });

  it('GIVEN 25 certificates WHEN one is swapped for another THEN the old one goes first', () => {
    assert.deepEqual(certificateBatches(25, [POOL[30] ?? ''], [POOL[0] ?? '']), [
      { remove: [POOL[0]] },
      { add: [POOL[30]] },
    ]);
  });
});
