import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispatch, notYetAvailable } from '../../../pkg/cli/index.ts';
import { captureIo } from './cli-io.ts';

const commands = {
  plan: (argv: readonly string[]) =>
    Promise.resolve(argv.length === 0 ? (0 as const) : (1 as const)),
  demo: notYetAvailable('demo'),
};
const version = () => Promise.resolve('1.2.3');

describe('albatross dispatch', () => {
  it('runs the named command with the rest of the arguments', async () => {
    assert.equal(await dispatch(['plan'], captureIo(), commands, version), 0);
    assert.equal(await dispatch(['plan', '-f', 'x'], captureIo(), commands, version), 1);
  });

  it('prints the version', async () => {
    const io = captureIo();
    assert.equal(await dispatch(['--version'], io, commands, version), 0);
    assert.equal(io.out(), 'albatross 1.2.3\n');
  });

  it('prints help on --help (exit 0) and on no command (exit 2, to stderr)', async () => {
    const help = captureIo();
    assert.equal(await dispatch(['--help'], help, commands, version), 0);
    assert.match(help.out(), /albatross plan -f PATH/);
    const none = captureIo();
    assert.equal(await dispatch([], none, commands, version), 2);
    assert.match(none.err(), /Usage:/);
  });

  it('rejects an unknown command in one line (exit 2)', async () => {
    const io = captureIo();
    assert.equal(await dispatch(['aply'], io, commands, version), 2);
    assert.equal(
      io.err(),
      "albatross: unknown command 'aply': expected one of plan, demo (see albatross --help)\n",
    );
  });

  it('says a command is not yet available (exit 2)', async () => {
    const io = captureIo();
    assert.equal(await dispatch(['demo'], io, commands, version), 2);
    assert.equal(io.err(), 'albatross demo: not yet available in this version\n');
  });
});
