/**
 * Target health for the readiness-gate loop, batched per target group: one
 * DescribeTargetGroups for up to 20 names (one per name only when a batch names one
 * that does not exist, since AWS then fails the whole call) and one DescribeTargetHealth
 * per target group, however many pods wait on it. ARNs by name are remembered: a name
 * is a hash of everything that cannot change in place, so it keeps its ARN until the
 * target group is deleted.
 */
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, toAwsError } from '../../pkg/aws/index.ts';
import type { AwsClients } from '../../pkg/aws/index.ts';
import type {
  TargetGroupHealth,
  TargetGroupRef,
  TargetHealthEntry,
} from '../../pkg/translate/index.ts';

const NAMES_PER_CALL = 20;

export function refKey(ref: TargetGroupRef): string {
  return ref.kind === 'name' ? `name:${ref.name}` : `arn:${ref.arn}`;
}

export class TargetHealthReader {
  readonly #clients: AwsClients;
  readonly #arnByName = new Map<string, string>();

  constructor(clients: AwsClients) {
    this.#clients = clients;
  }

  /** Health by `refKey` for every target group referred to. */
  async read(
    refs: readonly TargetGroupRef[],
    signal?: AbortSignal,
  ): Promise<Map<string, TargetGroupHealth>> {
    const opts = signal === undefined ? {} : { abortSignal: signal };
    const out = new Map<string, TargetGroupHealth>();
    const names = [...new Set(refs.flatMap((r) => (r.kind === 'name' ? [r.name] : [])))];
    await this.#resolveNames(
      names.filter((n) => !this.#arnByName.has(n)),
      opts,
    );
    const arns = new Map<string, string>();
    for (const ref of refs) {
      const arn = ref.kind === 'arn' ? ref.arn : this.#arnByName.get(ref.name);
      if (arn === undefined) out.set(refKey(ref), { kind: 'gone' });
      else arns.set(refKey(ref), arn);
    }
    const byArn = new Map<string, TargetGroupHealth>();
    for (const arn of new Set(arns.values())) byArn.set(arn, await this.#health(arn, opts));
    for (const [key, arn] of arns) {
      const health = byArn.get(arn) ?? { kind: 'gone' };
      out.set(key, health);
      if (health.kind === 'gone') {
        for (const [name, known] of this.#arnByName)
          if (known === arn) this.#arnByName.delete(name);
      }
    }
    return out;
  }

  async #resolveNames(names: readonly string[], opts: object): Promise<void> {
    for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
      const batch = names.slice(i, i + NAMES_PER_CALL);
      try {
        await this.#describeNames(batch, opts);
      } catch (err) {
        if (!notFound(err) || batch.length === 1) {
          if (notFound(err)) continue;
          throw err;
        }
        for (const name of batch) {
          try {
            await this.#describeNames([name], opts);
          } catch (inner) {
            if (!notFound(inner)) throw inner;
          }
        }
      }
    }
  }

  async #describeNames(names: readonly string[], opts: object): Promise<void> {
    const res = await this.#clients.elbv2
      .send(new DescribeTargetGroupsCommand({ Names: [...names] }), opts)
      .catch((err: unknown) => {
        throw toAwsError('DescribeTargetGroups', err);
      });
    for (const tg of res.TargetGroups ?? []) {
      if (tg.TargetGroupName !== undefined && tg.TargetGroupArn !== undefined) {
        this.#arnByName.set(tg.TargetGroupName, tg.TargetGroupArn);
      }
    }
  }

  async #health(arn: string, opts: object): Promise<TargetGroupHealth> {
    try {
      const res = await this.#clients.elbv2
        .send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }), opts)
        .catch((err: unknown) => {
          throw toAwsError('DescribeTargetHealth', err);
        });
      const targets: TargetHealthEntry[] = [];
      for (const d of res.TargetHealthDescriptions ?? []) {
        const id = d.Target?.Id;
        if (id === undefined) continue;
        const h = d.TargetHealth;
        targets.push({
          id,
          port: d.Target?.Port ?? 0,
          state: h?.State ?? 'unknown',
          ...(h?.Reason !== undefined ? { reason: h.Reason } : {}),
          ...(h?.Description !== undefined ? { description: h.Description } : {}),
        });
      }
      return { kind: 'known', targets };
    } catch (err) {
      if (notFound(err)) return { kind: 'gone' };
      throw err;
    }
  }
}

function notFound(err: unknown): boolean {
  return err instanceof AwsError && err.code === 'TargetGroupNotFound';
}
