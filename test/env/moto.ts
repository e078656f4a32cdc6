/**
 * The AWS emulator: moto in server mode, one process serving every service on one port,
 * started through test/env/moto_server.py, which adds ALB regex conditions and rule
 * transforms that moto 5.2 lacks.
 * Reset between tests through its reset endpoint; seeded so that ids repeat.
 */
import { join } from 'node:path';
import { binaries, motoLauncher } from './paths.ts';
import { freePort } from './ports.ts';
import { startProcess, waitUntil, type Started } from './process.ts';

export interface Moto {
  readonly process: Started;
  readonly endpoint: string;
}

export async function startMoto(
  dir: string,
  options: { readonly detached: boolean },
): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const started = startProcess(
    'moto',
    binaries.motoPython,
    [motoLauncher, '-H', '127.0.0.1', '-p', String(port)],
    join(dir, 'moto.log'),
    // A requested ACM certificate turns ISSUED on its next describe instead of after 60 s,
    // so certificate discovery can be tested without importing real certificates.
    { detached: options.detached, env: { ...process.env, MOTO_ACM_VALIDATION_WAIT: '0' } },
  );
  await waitUntil(
    started,
    async () => (await fetch(`${endpoint}/moto-api/`)).status === 200,
    60_000,
  );
  return { process: started, endpoint };
}

/** Forgets every resource in the emulator, then seeds its id generator so ids repeat. */
export async function resetMoto(endpoint: string, seed = 42): Promise<void> {
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!reset.ok) throw new Error(`moto reset failed: HTTP ${reset.status}`);
  const seeded = await fetch(`${endpoint}/moto-api/seed?a=${seed}`, { method: 'POST' });
  if (!seeded.ok) throw new Error(`moto seed failed: HTTP ${seeded.status}`);
}

/**
 * Makes the emulator's tagging index (GetResources) lag by `seconds`, as AWS's does: a
 * load balancer or target group created less than that ago is not listed yet, one
 * deleted less than that ago still is (test/env/moto_server.py). 0 restores the exact
 * index; so does a reset.
 */
export async function setTaggingLag(endpoint: string, seconds: number): Promise<void> {
  const set = await fetch(`${endpoint}/moto-api/albatross/tagging-lag?seconds=${seconds}`, {
    method: 'POST',
  });
  if (!set.ok) throw new Error(`moto tagging lag failed: HTTP ${set.status}`);
}

/**
 * Switches the emulator's AWS-like idempotency (test/env/moto_idempotency.py): repeated
 * CreateLoadBalancer/CreateTargetGroup/CreateListener with the same settings return the
 * existing resource, with others fail Duplicate*; DeregisterTargets of unknown targets
 * succeeds. On by default; a reset restores that.
 */
export async function setIdempotency(endpoint: string, enabled: boolean): Promise<void> {
  const set = await fetch(`${endpoint}/moto-api/albatross/idempotency?enabled=${enabled ? 1 : 0}`, {
    method: 'POST',
  });
  if (!set.ok) throw new Error(`moto idempotency failed: HTTP ${set.status}`);
}
