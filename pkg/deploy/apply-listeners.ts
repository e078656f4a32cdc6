/** Listeners: created tagged on the stack's ALB, changed field by field. */
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  DeleteListenerCommand,
  ModifyListenerAttributesCommand,
  ModifyListenerCommand,
  RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ModifyListenerInput } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Attributes, Certificate, Listener } from '../model/index.ts';
import { certificateBatches } from '../plan/index.ts';
import type { ResourceStep } from '../plan/index.ts';
import { call, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import { toSdkMutualAuthentication } from './auth-secrets.ts';
import { addChangedTags, keyedFields, pick } from './fields.ts';
import { sdkActions } from './resolve.ts';
import type { ApplyState } from './resolve.ts';
import { toSdkAttributes, toSdkTags } from './to-sdk.ts';

type ListenerStep = Extract<ResourceStep, { kind: 'Listener' }>;

async function setAttributes(ctx: DeployContext, arn: string, attributes: Attributes) {
  if (Object.keys(attributes).length === 0) return;
  await call(ctx, 'ModifyListenerAttributes', () =>
    ctx.clients.elbv2.send(
      new ModifyListenerAttributesCommand({
        ListenerArn: arn,
        Attributes: toSdkAttributes(attributes),
      }),
      sendOptions(ctx),
    ),
  );
}

/**
 * The SNI certificates (all but the first) to add and to remove, in the order that keeps
 * the listener within its certificate quota (`certificateBatches`).
 */
async function syncSniCertificates(
  ctx: DeployContext,
  arn: string,
  want: readonly Certificate[],
  have: readonly Certificate[],
): Promise<void> {
  const wanted = new Set(want.slice(1).map((c) => c.certificateArn));
  const had = new Set(have.slice(1).map((c) => c.certificateArn));
  const add = [...wanted].filter((c) => !had.has(c));
  const remove = [...had].filter((c) => !wanted.has(c) && c !== want[0]?.certificateArn);
  for (const batch of certificateBatches(had.size, add, remove)) {
    if ('add' in batch) {
      await call(ctx, 'AddListenerCertificates', () =>
        ctx.clients.elbv2.send(
          new AddListenerCertificatesCommand({
            ListenerArn: arn,
            Certificates: batch.add.map((CertificateArn) => ({ CertificateArn })),
          }),
          sendOptions(ctx),
        ),
      );
    } else {
      await call(ctx, 'RemoveListenerCertificates', () =>
        ctx.clients.elbv2.send(
          new RemoveListenerCertificatesCommand({
            ListenerArn: arn,
            Certificates: batch.remove.map((CertificateArn) => ({ CertificateArn })),
          }),
          sendOptions(ctx),
        ),
      );
    }
  }
}

async function create(ctx: DeployContext, state: ApplyState, want: Listener): Promise<void> {
  const defaultActions = await sdkActions(ctx, state, want.defaultActions);
  const first = want.certificates[0];
  const mtls =
    want.protocol === 'HTTPS' && want.mutualAuthentication !== undefined
      ? { MutualAuthentication: await toSdkMutualAuthentication(ctx, want.mutualAuthentication) }
      : {};
  const created = await call(ctx, 'CreateListener', () =>
    ctx.clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: state.loadBalancer(),
        Port: want.port,
        Protocol: want.protocol,
        ...(want.protocol === 'HTTPS' && want.sslPolicy !== undefined
          ? { SslPolicy: want.sslPolicy }
          : {}),
        ...(first === undefined
          ? {}
          : { Certificates: [{ CertificateArn: first.certificateArn }] }),
        DefaultActions: defaultActions,
        ...mtls,
        Tags: toSdkTags(want.tags),
      }),
      sendOptions(ctx),
    ),
  );
  const arn = created.Listeners?.[0]?.ListenerArn ?? '';
  state.listeners.set(want.id, arn);
  await syncSniCertificates(ctx, arn, want.certificates, []);
  await setAttributes(ctx, arn, want.attributes);
}

async function deleteListener(ctx: DeployContext, arn: string) {
  await call(ctx, 'DeleteListener', () =>
    unlessGone('ListenerNotFound', () =>
      ctx.clients.elbv2.send(new DeleteListenerCommand({ ListenerArn: arn }), sendOptions(ctx)),
    ),
  );
}

async function remove(ctx: DeployContext, state: ApplyState, id: string, arn: string) {
  await deleteListener(ctx, arn);
  state.listeners.delete(id);
}

export async function applyListener(
  ctx: DeployContext,
  state: ApplyState,
  step: ListenerStep,
): Promise<void> {
  switch (step.step) {
    case 'create':
      return create(ctx, state, step.desired);
    case 'replace':
      // Two listeners cannot share a port: the old one goes first.
      await remove(ctx, state, step.id, step.actual.arn);
      return create(ctx, state, step.desired);
    case 'delete':
    case 'delete-replaced':
      return remove(ctx, state, step.id, step.actual.arn);
    case 'delete-duplicate':
      // The kept listener has the same id: apply keeps knowing it.
      return deleteListener(ctx, step.actual.arn);
    case 'update': {
      const arn = step.actual.arn;
      const want = step.desired;
      const fields = new Set(step.fields);
      const input: ModifyListenerInput = { ListenerArn: arn };
      if (fields.has('protocol')) input.Protocol = want.protocol;
      if (fields.has('sslPolicy') && want.sslPolicy !== undefined) input.SslPolicy = want.sslPolicy;
      const first = want.certificates[0];
      // Only a new default: an SNI-only change is Add/RemoveListenerCertificates alone.
      if (
        fields.has('certificates') &&
        first !== undefined &&
        first.certificateArn !== step.actual.certificates[0]?.certificateArn
      ) {
        input.Certificates = [{ CertificateArn: first.certificateArn }];
      }
      if (fields.has('defaultActions')) {
        input.DefaultActions = await sdkActions(
          ctx,
          state,
          want.defaultActions,
          step.actual.defaultActions,
        );
      }
      if (fields.has('mutualAuthentication') && want.mutualAuthentication !== undefined) {
        input.MutualAuthentication = await toSdkMutualAuthentication(
          ctx,
          want.mutualAuthentication,
        );
      }
      if (Object.keys(input).length > 1) {
        await call(ctx, 'ModifyListener', () =>
          ctx.clients.elbv2.send(new ModifyListenerCommand(input), sendOptions(ctx)),
        );
      }
      if (fields.has('certificates')) {
        await syncSniCertificates(ctx, arn, want.certificates, step.actual.certificates);
      }
      await setAttributes(ctx, arn, pick(want.attributes, keyedFields(step.fields, 'attributes')));
      await addChangedTags(ctx, arn, want.tags, step.fields);
      return;
    }
  }
}
