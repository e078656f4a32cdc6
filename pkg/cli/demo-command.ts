/**
 * `albatross demo` runs the product against a local Kubernetes API server and AWS
 * emulator. Those are built from a source checkout (test/env), so the demo lives there
 * and an installed package says where to find it instead of failing obscurely.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo, ExitCode } from './io.ts';

interface DemoModule {
  runDemo: (argv: readonly string[], io: CliIo) => Promise<ExitCode>;
}

function isDemoModule(value: unknown): value is DemoModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    'runDemo' in value &&
    typeof value.runDemo === 'function'
  );
}

export async function runDemoCommand(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const demo = new URL('../../test/env/demo.ts', import.meta.url);
  if (!existsSync(fileURLToPath(demo))) {
    io.stderr(
      'albatross demo: runs from a source checkout of Albatross (npm run demo); this installation has none\n',
    );
    return 2;
  }
  const loaded: unknown = await import(demo.href);
  if (!isDemoModule(loaded)) {
    io.stderr('albatross demo: test/env/demo.ts does not export runDemo\n');
    return 2;
  }
  return loaded.runDemo(argv, io);
}
