/**
 * The container image without a Docker engine: the files the image would hold are laid
 * out in a temporary folder by the script the Dockerfile runs (scripts/image-layout.ts:
 * the package's `npm pack` files plus the lockfile's production dependencies), from a
 * fresh compile of the sources, and run with Node 24 and the ENTRYPOINT's flags. A file
 * missing from the package, or a dev-only dependency imported at run time, fails here.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, symlink, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { CONTROLLER_HELP } from '../../controller/config.ts';
import { useTestEnv } from '../env/testenv.ts';
import { eventually, ingress, nodePortService } from '../integration/k8s/helpers.ts';
import { ControllerProcess } from './controller-process.ts';
import { argsOf, execForm, labelKeys, parseDockerfile, type Stage } from './dockerfile.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const node = process.execPath;

interface Lockfile {
  readonly packages: Readonly<Record<string, { readonly dev?: boolean }>>;
}

/** Every file under `dir` with its size and modification time, to see writes. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(e.parentPath, e.name);
    const s = await stat(path).catch(() => undefined);
    out.set(path, s === undefined ? 'dangling' : `${String(s.size)}:${String(s.mtimeMs)}`);
  }
  return out;
}

describe('container image layout', () => {
  let work: string;
  let app: string;
  let home: string;
  let runtime: Stage;
  let build: Stage;
  /** The ENTRYPOINT's node flags and script, pointed at the laid-out folder. */
  let entry: string[];
  let cmd: string[];
  const timings: Record<string, number> = {};

  before(async () => {
    const stages = parseDockerfile(await readFile(join(repoRoot, 'Dockerfile'), 'utf8'));
    const last = stages.at(-1);
    const first = stages.find((s) => s.name === 'build');
    assert.ok(last !== undefined && first !== undefined, 'a build stage and a runtime stage');
    runtime = last;
    build = first;
    const [, ...entryArgs] = execForm(runtime, 'ENTRYPOINT');
    cmd = execForm(runtime, 'CMD');

    work = await mkdtemp(join(tmpdir(), 'albatross-image-'));
    const src = join(work, 'src');
    app = join(work, 'app');
    home = join(work, 'home');
    await run('mkdir', ['-p', src, home]);
    // GIVEN the build stage's inputs: the manifest, the lockfile, the installed packages
    await copyFile(join(repoRoot, 'package.json'), join(src, 'package.json'));
    await copyFile(join(repoRoot, 'package-lock.json'), join(src, 'package-lock.json'));
    await symlink(join(repoRoot, 'node_modules'), join(src, 'node_modules'));
    // WHEN the sources are compiled as the Dockerfile does (type checking is the
    // project's own check, so it is skipped here to keep the test short)
    let t = Date.now();
    await run(
      node,
      [
        join(repoRoot, 'node_modules/typescript/bin/tsc'),
        '-p',
        join(repoRoot, 'tsconfig.build.json'),
        '--noCheck',
        '--outDir',
        join(src, 'dist'),
      ],
      { cwd: repoRoot },
    );
    timings.compileMs = Date.now() - t;
    // AND laid out by the Dockerfile's own script
    t = Date.now();
    await run(node, [join(repoRoot, 'scripts/image-layout.ts'), src, app]);
    timings.layoutMs = Date.now() - t;
    entry = entryArgs.map((a) => a.replace(/^\/app\//, `${app}/`));
  });
  after(async () => {
    console.log(`image layout: ${JSON.stringify(timings)}`);
    await rm(work, { recursive: true, force: true });
  });

  async function albatross(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(node, [...entry, ...args], { cwd: app, env: { PATH: '', HOME: home } });
  }

  it('prints the package version', async () => {
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const { stdout } = await albatross('--version');
    assert.equal(stdout, `albatross ${pkg.version}\n`);
  });

  it('prints the controller flags', async () => {
    const { stdout } = await albatross(...cmd, '--help');
    assert.equal(stdout, CONTROLLER_HELP);
    assert.match(stdout, /--cluster-name VALUE/);
  });

  it('holds the compiled program and production dependencies, and nothing dev-only', async () => {
    const lock = JSON.parse(
      await readFile(join(repoRoot, 'package-lock.json'), 'utf8'),
    ) as Lockfile;
    const present = async (p: string): Promise<boolean> =>
      stat(join(app, p)).then(
        () => true,
        () => false,
      );
    assert.ok(await present('dist/controller/main.js'));
    assert.ok(!(await present('controller')), 'no TypeScript sources');
    assert.ok(!(await present('test')), 'no tests');
    const devOnly = Object.entries(lock.packages)
      .filter(([p, e]) => p.startsWith('node_modules/') && e.dev === true)
      .map(([p]) => p);
    assert.ok(devOnly.length > 0, 'the lockfile marks dev-only packages');
    const leaked: string[] = [];
    for (const p of devOnly) if (await present(p)) leaked.push(p);
    assert.deepEqual(leaked, []);
    const pkg = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const dep of Object.keys(pkg.dependencies)) {
      assert.ok(await present(`node_modules/${dep}/package.json`), dep);
    }
  });

  describe('running', () => {
    const testEnv = useTestEnv();

    it('runs the controller from the layout and writes nothing to its files', async () => {
      const env = testEnv.env;
      await env.resetAws();
      const ns = await env.freshNamespace('image');
      const before = await snapshot(work);
      const vars = env.exports();
      // WHEN the image's command runs against the test environment
      const child = spawn(
        node,
        [
          ...entry,
          ...cmd,
          '--cluster-name',
          env.clusterName,
          '--aws-region',
          env.state.region,
          '--aws-endpoint',
          env.state.awsEndpoint,
          '--aws-vpc-id',
          env.world.vpcId,
          '--watch-namespace',
          ns,
          '--leader-election=false',
          '--metrics-addr',
          '127.0.0.1:0',
          '--health-addr',
          '127.0.0.1:0',
        ],
        {
          cwd: app,
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            HOME: home,
            TMPDIR: home,
            KUBECONFIG: vars.KUBECONFIG,
            AWS_ACCESS_KEY_ID: vars.AWS_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY: vars.AWS_SECRET_ACCESS_KEY,
          },
        },
      );
      const controller = new ControllerProcess('image', child);
      const started = Date.now();
      try {
        // THEN it turns ready and gives an Ingress its ALB
        // Generous: on a busy machine Node takes seconds to load the AWS SDK.
        await controller.waitForLine('listening', (l) => l.msg === 'listening', {
          timeoutMs: 60_000,
        });
        await eventually(
          'ready',
          async () => ((await controller.health('/readyz')).status === 200 ? true : undefined),
          60_000,
        );
        timings.controllerReadyMs = Date.now() - started;
        const core = env.kc.makeApiClient(CoreV1Api);
        const net = env.kc.makeApiClient(NetworkingV1Api);
        await core.createNamespacedService({ namespace: ns, body: nodePortService(ns, 'web') });
        await net.createNamespacedIngress({
          namespace: ns,
          body: ingress(ns, 'shop', { services: ['web'] }),
        });
        const host = await eventually(
          'an address on the Ingress',
          async () =>
            (await net.readNamespacedIngress({ name: 'shop', namespace: ns })).status?.loadBalancer
              ?.ingress?.[0]?.hostname,
          60_000,
        );
        assert.match(host, /elb\.amazonaws\.com$/);
        timings.controllerAddressMs = Date.now() - started;
        await net.deleteNamespacedIngress({ name: 'shop', namespace: ns });
        await eventually(
          'the Ingress released',
          async () =>
            (await net.listNamespacedIngress({ namespace: ns })).items.length === 0
              ? true
              : undefined,
          60_000,
        );
        timings.controllerReleasedMs = Date.now() - started;
      } finally {
        const exit = await controller.stop('SIGTERM');
        assert.equal(exit.code, 0, controller.recentLog());
      }
      // AND it wrote nothing to the image's files, its HOME or its TMPDIR
      assert.deepEqual(await snapshot(work), before);
    });
  });

  it('builds on Node 24 and runs on a minimal Node 24 image as a numeric non-root user', () => {
    assert.match(build.from, /^node:24(-|$)/);
    assert.match(runtime.from, /^gcr\.io\/distroless\/nodejs24-|^node:24-[a-z]*-?slim$/);
    const user = argsOf(runtime, 'USER').at(-1) ?? '';
    assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user}: a numeric, non-zero UID`);
    assert.deepEqual(
      argsOf(runtime, 'COPY'),
      ['--from=build /app /app'],
      'the runtime image holds only the laid-out folder',
    );
    assert.ok(
      argsOf(build, 'RUN').some((r) => r.includes('node scripts/image-layout.ts /src /app')),
      'the build stage lays the image out with scripts/image-layout.ts',
    );
    assert.equal(execForm(runtime, 'ENTRYPOINT').at(-1), '/app/dist/controller/main.js');
    assert.deepEqual(cmd, ['controller']);
  });

  it('carries the OCI labels', () => {
    const keys = labelKeys(runtime);
    for (const k of ['source', 'title', 'description', 'licenses', 'version', 'revision']) {
      assert.ok(keys.includes(`org.opencontainers.image.${k}`), k);
    }
  });

  it('sends the build every file it copies, through .dockerignore', async () => {
    const ignore = (await readFile(join(repoRoot, '.dockerignore'), 'utf8')).split('\n');
    assert.ok(ignore.includes('*'), 'everything is excluded unless admitted');
    const sources = argsOf(build, 'COPY').flatMap((c) => c.split(' ').slice(0, -1));
    for (const s of sources) {
      const admitted = ignore.includes(`!${s}`) || ignore.includes(`!${s}/`);
      assert.ok(admitted, `.dockerignore keeps ${s} out of the build context`);
    }
  });
});
