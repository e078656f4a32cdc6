/**
 * `albatross demo` (`npm run demo`): the whole product on one machine. Provisions and
 * starts the local environment (kube-apiserver + etcd + moto), runs the controller
 * against it as a separate process, applies examples/, waits until every Ingress has an
 * address, prints what was built as the AWS API reports it, then stops everything — or,
 * with --keep, keeps running and reports each reconcile as you apply more manifests.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { CliIo, ExitCode } from '../../pkg/cli/index.ts';
import { parseManifests } from '../../pkg/cli/manifests.ts';
import { addressLines, describeCloud, type IngressAddress } from './demo-tree.ts';
import { envDir, repoRoot } from './paths.ts';
import { TestEnv } from './testenv.ts';

const usage = 'usage: albatross demo [--keep] [--timeout SECONDS] [-f DIR]\n';

export async function runDemo(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let options: { keep: boolean; timeoutMs: number; dir: string };
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        keep: { type: 'boolean', default: false },
        timeout: { type: 'string', default: '120' },
        file: { type: 'string', short: 'f', default: join(repoRoot, 'examples') },
      },
      strict: true,
    });
    const seconds = Number(values.timeout);
    if (!Number.isInteger(seconds) || seconds < 1) {
      io.stderr(
        `albatross demo: --timeout must be a whole number of seconds ≥ 1, not '${values.timeout}'\n`,
      );
      return 2;
    }
    options = { keep: values.keep, timeoutMs: seconds * 1000, dir: values.file };
  } catch (err) {
    io.stderr(`albatross demo: ${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return 2;
  }

  io.stderr('demo: provisioning the local environment (the first run builds it: minutes)\n');
  execFileSync(join(envDir, 'provision.sh'), { stdio: ['ignore', 'inherit', 'inherit'] });
  const env = await TestEnv.start({ detached: false });
  let controller: ChildProcess | undefined;
  try {
    io.stderr('demo: kube-apiserver, etcd and the AWS emulator are up; starting the controller\n');
    const logFile = join(env.state.dir, 'controller.log');
    controller = startController(env, logFile);
    const applied = await applyManifests(env, options.dir);
    io.stderr(`demo: applied ${String(applied.length)} objects from ${options.dir}\n`);

    const ingresses = applied
      .filter((o) => o.kind === 'Ingress')
      .map((o) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`);
    const addresses = await waitForAddresses(env, ingresses, options.timeoutMs, controller);
    io.stdout('\nWhat was built (read back from the AWS API):\n');
    for (const line of await describeCloud(env.aws, env.clusterName)) io.stdout(`  ${line}\n`);
    io.stdout('\nAddresses:\n');
    for (const line of addressLines(addresses)) io.stdout(`  ${line}\n`);
    const missing = addresses.filter((a) => a.address === undefined);
    if (missing.length > 0) {
      io.stderr(
        `demo: ${String(missing.length)} Ingress(es) got no address within the timeout; controller log: ${logFile}\n`,
      );
      return 1;
    }
    if (options.keep) {
      io.stdout('\nThe environment keeps running. In another shell:\n');
      for (const [k, v] of Object.entries(env.exports())) io.stdout(`  export ${k}=${v}\n`);
      io.stdout(
        'then apply more manifests (kubectl apply -f …); each reconcile is reported here. Ctrl-C stops.\n\n',
      );
      await followReconciles(controller, io);
    }
    return 0;
  } finally {
    if (controller !== undefined) await stopController(controller);
    await env.stop();
  }
}

function startController(env: TestEnv, logFile: string): ChildProcess {
  const { state, world } = env;
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, 'controller', 'main.ts'),
      'controller',
      '--cluster-name',
      env.clusterName,
      '--aws-region',
      state.region,
      '--aws-vpc-id',
      world.vpcId,
      '--aws-endpoint',
      state.awsEndpoint,
      '--leader-election=false',
      '--metrics-addr',
      '127.0.0.1:0',
      '--health-addr',
      '127.0.0.1:0',
      '--sync-period',
      '1m', // No MutatingWebhookConfiguration points here; a fixed port could be taken.
      '--webhook-port',
      '0',
    ],
    { env: { ...process.env, ...env.exports() }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const log = createWriteStream(logFile);
  child.stderr.pipe(log);
  return child;
}

async function stopController(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exit = new Promise<'exited'>((resolve) =>
    child.once('exit', () => {
      resolve('exited');
    }),
  );
  child.kill('SIGTERM');
  const how = await Promise.race([exit, sleep(10_000, 'timeout' as const)]);
  if (how === 'timeout') child.kill('SIGKILL');
}

/** Creates every object of the manifests in `dir`, namespaces first, as `kubectl apply` would. */
async function applyManifests(env: TestEnv, dir: string): Promise<KubernetesObject[]> {
  const objects: KubernetesObject[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()) {
    const parsed = parseManifests(readFileSync(join(dir, file), 'utf8'), file);
    if (!parsed.ok) throw new Error(parsed.error);
    for (const doc of parsed.documents) objects.push(doc.object);
  }
  const core = env.kc.makeApiClient(CoreV1Api);
  const namespaces = new Set(objects.map((o) => o.metadata?.namespace ?? 'default'));
  for (const name of namespaces) {
    if (name === 'default') continue;
    await core.createNamespace({ body: { metadata: { name } } }).catch((err: unknown) => {
      if (!isConflict(err)) throw err;
    });
  }
  const client = KubernetesObjectApi.makeApiClient(env.kc);
  const kindOrder = (o: KubernetesObject): number => (o.kind === 'Ingress' ? 1 : 0);
  const created: KubernetesObject[] = [];
  for (const object of [...objects].sort((a, b) => kindOrder(a) - kindOrder(b))) {
    // Parsed from our own files: ours to fill in, as kubectl fills in the namespace.
    const metadata = (object.metadata ??= {});
    metadata.namespace ??= 'default';
    created.push(await client.create(object));
  }
  return created;
}

function isConflict(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 409;
}

async function waitForAddresses(
  env: TestEnv,
  keys: readonly string[],
  timeoutMs: number,
  controller: ChildProcess,
): Promise<IngressAddress[]> {
  const net = env.kc.makeApiClient(NetworkingV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const addresses = await Promise.all(
      keys.map(async (key) => {
        const [namespace = 'default', name = ''] = key.split('/');
        const ingress = await net.readNamespacedIngress({ namespace, name });
        return { key, address: ingress.status?.loadBalancer?.ingress?.[0]?.hostname };
      }),
    );
    if (
      addresses.every((a) => a.address !== undefined) ||
      Date.now() > deadline ||
      controller.exitCode !== null
    ) {
      return addresses;
    }
    await sleep(500);
  }
}

/** Prints one line per reconcile from the controller's JSON log until Ctrl-C. */
async function followReconciles(controller: ChildProcess, io: CliIo): Promise<void> {
  let buffered = '';
  controller.stderr?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const entry = parseLogLine(line);
      if (entry?.msg === 'reconciled') {
        io.stdout(
          `reconciled ${String(entry.group)}: ${String(entry.outcome)}, ${String(entry.changesApplied)} change(s) in ${String(entry.durationMs)} ms\n`,
        );
      }
    }
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => {
      resolve();
    });
    controller.once('exit', () => {
      resolve();
    });
  });
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
