import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePlanArgs } from '../../../pkg/cli/index.ts';

describe('plan flags', () => {
  it('reads repeated -f, the cluster name, output and rule order', () => {
    const got = parsePlanArgs(
      'plan',
      [
        '-f',
        'a.yaml',
        '--filename',
        'dir',
        '--cluster-name',
        'prod',
        '--output',
        'text',
        '--rule-order',
        'reference',
      ],
      false,
    );
    assert.equal(got.kind, 'ok');
    assert.deepEqual(got.options.files, ['a.yaml', 'dir']);
    assert.equal(got.options.output, 'text');
    assert.equal(got.options.translate.clusterName, 'prod');
    assert.equal(got.options.translate.ruleOrder, 'reference');
  });

  it('defaults to text on a terminal and JSON in a pipe', () => {
    const tty = parsePlanArgs('plan', ['-f', 'x'], true);
    const pipe = parsePlanArgs('plan', ['-f', 'x'], false);
    assert.equal(tty.kind === 'ok' && tty.options.output, 'text');
    assert.equal(pipe.kind === 'ok' && pipe.options.output, 'json');
    assert.equal(pipe.kind === 'ok' && pipe.options.translate.ruleOrder, 'specification');
  });

  const usageErrors = [
    { argv: [], names: '-f is required' },
    { argv: ['-f', 'x', '--output', 'yaml'], names: "--output must be json or text, not 'yaml'" },
    {
      argv: ['-f', 'x', '--rule-order', 'alpha'],
      names: '--rule-order must be specification or reference',
    },
    { argv: ['-f', 'x', '--verbose'], names: 'unknown flag --verbose' },
    { argv: ['-f'], names: '--filename needs a value' },
    { argv: ['-f', 'x', 'extra'], names: "unexpected argument 'extra'" },
    { argv: ['-f', 'x', '--cluster-name', 'a b'], names: '--cluster-name must be' },
  ];
  for (const c of usageErrors) {
    it(`rejects ${JSON.stringify(c.argv)} in one line naming the flag`, () => {
      const got = parsePlanArgs('plan', c.argv, false);
      assert.equal(got.kind, 'usage-error');
      const message = got.message;
      assert.ok(message.includes(c.names), message);
      assert.ok(message.startsWith('albatross plan: '), message);
      assert.ok(!message.includes('\n'), message);
    });
  }
});
