/**
 * The test environment as tests and scripts use it: a real kube-apiserver + etcd and
 * the moto AWS emulator, started on free loopback ports, with a seeded world.
 *
 * `useTestEnv()` in a test file connects to the environment that `npm test` (or
 * `npm run testenv:up`) started, named by ALBATROSS_TESTENV_STATE, or else starts a
 * private one for the file and stops it when the file's tests end.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  awsClients,
  destroyAwsClients,
  testCredentials,
  testRegion,
  type AwsClients,
} from './aws-clients.ts';
import { startControlPlane } from './control-plane.ts';
import { resetMoto, startMoto } from './moto.ts';
import { binaries } from './paths.ts';
import { isAlive, stopProcess } from './process.ts';
import { seedAws, seedKubernetes, type World } from './world.ts';

export const testClusterName = 'albatross-test';

/** What a running environment leaves on disk so that others can connect and stop it. */
export interface TestEnvState {
  readonly dir: string;
  readonly pids: readonly { readonly name: string; readonly pid: number }[];
  readonly kubeconfigFile: string;
  readonly awsEndpoint: string;
  readonly region: string;
  readonly clusterName: string;
  readonly world: World;
}

export class TestEnv {
  readonly state: TestEnvState;
  readonly kc: KubeConfig;
  readonly aws: AwsClients;
  #world: World;
  readonly #owned: boolean;

  private constructor(state: TestEnvState, owned: boolean) {
    this.state = state;
    this.#world = state.world;
    this.#owned = owned;
    this.kc = new KubeConfig();
    this.kc.loadFromFile(state.kubeconfigFile);
    this.aws = awsClients(state.awsEndpoint, state.region);
  }

  get world(): World {
    return this.#world;
  }

  get clusterName(): string {
    return this.state.clusterName;
  }

  /** Starts etcd, kube-apiserver and moto, and seeds the world. */
  static async start(options: {
    readonly detached: boolean;
    readonly dir?: string;
  }): Promise<TestEnv> {
    assertProvisioned();
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'albatross-testenv-'));
    mkdirSync(dir, { recursive: true });
    const [cp, moto] = await Promise.all([
      startControlPlane(join(dir, 'kube'), options),
      startMoto(dir, options),
    ]);
    const pids = [cp.apiserver, cp.etcd, moto.process].map(({ name, pid }) => ({ name, pid }));
    const placeholder: World = {
      clusterName: testClusterName,
      vpcId: '',
      publicSubnetIds: [],
      privateSubnetIds: [],
      nodeSecurityGroupId: '',
      nodes: [],
    };
    const env = new TestEnv(
      {
        dir,
        pids,
        kubeconfigFile: cp.kubeconfigFile,
        awsEndpoint: moto.endpoint,
        region: testRegion,
        clusterName: testClusterName,
        world: placeholder,
      },
      true,
    );
    try {
      await env.resetAws();
    } catch (err) {
      await env.stop();
      throw err;
    }
    return env;
  }

  /** Connects to an environment another process started; stopping it is theirs. */
  static connect(state: TestEnvState): TestEnv {
    const dead = state.pids.filter((p) => !isAlive(p.pid));
    if (dead.length > 0) {
      throw new Error(
        `test environment in ${state.dir} is not running (${dead.map((p) => p.name).join(', ')} gone)`,
      );
    }
    return new TestEnv(state, false);
  }

  /**
   * Forgets everything in the emulator and seeds the world again; the emulator's id
   * generator is seeded, so the VPC, subnets and instances get the same ids each time
   * and the Node objects stay valid.
   */
  async resetAws(): Promise<World> {
    await resetMoto(this.state.awsEndpoint);
    const seeded = await seedAws(this.aws, this.state.clusterName);
    const { instances, ...rest } = seeded;
    await seedKubernetes(this.kc, instances);
    this.#world = { ...rest, nodes: instances };
    return this.#world;
  }

  /** A namespace of its own for one test (namespaces never finish deleting here, so none are reused). */
  async freshNamespace(prefix = 't'): Promise<string> {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    await this.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
    return name;
  }

  /** The variables a controller or a person needs to use this environment. */
  exports(): Readonly<Record<string, string>> {
    return {
      KUBECONFIG: this.state.kubeconfigFile,
      AWS_ENDPOINT_URL: this.state.awsEndpoint,
      AWS_REGION: this.state.region,
      AWS_ACCESS_KEY_ID: testCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: testCredentials.secretAccessKey,
      ALBATROSS_CLUSTER_NAME: this.state.clusterName,
      ALBATROSS_VPC_ID: this.#world.vpcId,
    };
  }

  /** The state with the current world, for others to connect. */
  snapshot(): TestEnvState {
    return { ...this.state, world: this.#world };
  }

  /** Drops this process's clients, leaving the environment running. */
  release(): void {
    destroyAwsClients(this.aws);
  }

  async stop(): Promise<void> {
    this.release();
    if (!this.#owned) return;
    await Promise.all(this.state.pids.map((p) => stopProcess(p.pid)));
    rmSync(this.state.dir, { recursive: true, force: true });
  }
}

function assertProvisioned(): void {
  const missing = Object.entries(binaries).filter(([, path]) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `test environment not provisioned (missing ${missing.map(([k]) => k).join(', ')}): run test/env/provision.sh`,
    );
  }
}

export function readState(file: string): TestEnvState {
  return JSON.parse(readFileSync(file, 'utf8')) as TestEnvState;
}

export function writeState(file: string, state: TestEnvState): void {
  writeFileSync(file, JSON.stringify(state, null, 2));
}

/**
 * For a test suite: call in a `describe` body. Before the suite's tests it connects to
 * the shared environment when one is running (ALBATROSS_TESTENV_STATE) or else starts a
 * private one (always, with `isolated`); after them it releases it, even when a test
 * failed.
 */
export function useTestEnv(options: { readonly isolated?: boolean } = {}): {
  readonly env: TestEnv;
} {
  let current: TestEnv | undefined;
  before(async () => {
    const stateFile = process.env.ALBATROSS_TESTENV_STATE;
    // `isolated`: the suite asserts something about the whole cluster (no Ingress of
    // another suite may exist), so it gets an API server of its own.
    current =
      stateFile !== undefined && stateFile !== '' && options.isolated !== true
        ? TestEnv.connect(readState(stateFile))
        : await TestEnv.start({ detached: false });
  });
  after(async () => {
    await current?.stop();
  });
  return {
    get env(): TestEnv {
      if (current === undefined)
        throw new Error('useTestEnv: the environment is used before the suite started');
      return current;
    },
  };
}
