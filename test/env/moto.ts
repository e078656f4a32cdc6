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

/** The quotas the emulator enforces (test/env/moto_quotas.py), AWS's defaults unless set. */
export interface MotoQuotas {
  readonly rules_per_load_balancer: number;
  readonly condition_values_per_rule: number;
  readonly target_groups_per_load_balancer: number;
  readonly listeners_per_load_balancer: number;
  readonly certificates_per_load_balancer: number;
  readonly inbound_rules_per_security_group: number;
  readonly security_groups_per_load_balancer: number;
  readonly targets_per_target_group: number;
}

/**
 * Sets some of the emulator's quotas (the others keep their values) and returns them all;
 * a reset restores AWS's defaults.
 */
export async function setQuotas(
  endpoint: string,
  quotas: Partial<MotoQuotas>,
): Promise<MotoQuotas> {
  const set = await fetch(`${endpoint}/moto-api/albatross/quotas`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(quotas),
  });
  if (!set.ok) throw new Error(`moto quotas failed: HTTP ${set.status}: ${await set.text()}`);
  return (await set.json()) as MotoQuotas;
}

/** A family's bucket in the emulator's throttling layer (test/env/moto_throttle.py). */
export interface ThrottleBucket {
  /** Tokens added per second. */
  readonly rate: number;
  /** The bucket's capacity: the calls admitted at once. */
  readonly burst: number;
}

/** What the throttling layer answers on GET: its buckets, and calls and throttles per family. */
export interface ThrottleState {
  readonly enabled: boolean;
  readonly families: Readonly<Record<string, ThrottleBucket & { readonly tokens: number }>>;
  readonly calls: Readonly<Record<string, number>>;
  readonly throttled: Readonly<Record<string, number>>;
}

/**
 * Throttles the emulator as AWS does: `{ preset: 'aws' }` for AWS's documented buckets
 * (optionally `scale`d), `families` to set buckets of its own (over the preset when both
 * are given), `{ preset: 'off' }` to stop. Over a bucket, ELBv2 answers `Throttling`
 * (400), EC2 `RequestLimitExceeded` (503), the tagging API `ThrottledException` (400).
 * Off by default; a reset turns it off.
 */
export async function setThrottling(
  endpoint: string,
  config: {
    readonly preset?: 'aws' | 'off';
    readonly scale?: number;
    readonly families?: Readonly<Record<string, ThrottleBucket>>;
  },
): Promise<ThrottleState> {
  const res = await fetch(`${endpoint}/moto-api/albatross/throttle`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`moto throttling failed: HTTP ${res.status}: ${await res.text()}`);
  return (await res.json()) as ThrottleState;
}

/** The throttling layer's buckets and its counts of calls and throttled answers per family. */
export async function throttleState(endpoint: string): Promise<ThrottleState> {
  const res = await fetch(`${endpoint}/moto-api/albatross/throttle`);
  if (!res.ok) throw new Error(`moto throttling state failed: HTTP ${res.status}`);
  return (await res.json()) as ThrottleState;
}

/**
 * The emulator's eventual consistency (test/env/moto_consistency.py), as AWS has it:
 * `securityGroupLingerSeconds`, how long DeleteSecurityGroup still fails
 * DependencyViolation after the last load balancer using the group was deleted (default
 * 1); `readAfterWriteSeconds`, how long a resource just created is missing from its
 * Describe* call (default 0 = at once). Either may be left out; a reset restores both.
 */
export async function setConsistency(
  endpoint: string,
  settings: {
    readonly securityGroupLingerSeconds?: number;
    readonly readAfterWriteSeconds?: number;
  },
): Promise<void> {
  const query = new URLSearchParams();
  if (settings.securityGroupLingerSeconds !== undefined)
    query.set('security-group-linger', String(settings.securityGroupLingerSeconds));
  if (settings.readAfterWriteSeconds !== undefined)
    query.set('read-after-write', String(settings.readAfterWriteSeconds));
  const set = await fetch(`${endpoint}/moto-api/albatross/consistency?${query.toString()}`, {
    method: 'POST',
  });
  if (!set.ok) throw new Error(`moto consistency failed: HTTP ${set.status}`);
}
