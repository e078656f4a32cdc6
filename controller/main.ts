#!/usr/bin/env node
// The program: picks a sub-command and hands it the process's streams. Wiring only.
import { dispatch, packageVersion, processIo, runConvert, runPlan } from '../pkg/cli/index.ts';
import { defaultPlanCore } from '../pkg/cli/core.ts';
import { runDemoCommand } from '../pkg/cli/demo-command.ts';
import { runController } from './controller-command.ts';
import { reconcilerPlug } from './plug.ts';

process.exitCode = await dispatch(
  process.argv.slice(2),
  processIo(),
  {
    plan: (argv, io) => runPlan(argv, io, defaultPlanCore),
    convert: runConvert,
    controller: (argv, io) => runController(argv, io, reconcilerPlug),
    demo: runDemoCommand,
  },
  packageVersion,
);
