/**
 * Stack-tagged backend rules: what earlier versions created, one per target group, on the
 * node or pod security group. Backend access is cluster-level now (backend-access.ts:
 * one rule per port range, owned by the cluster); the planner only ever deletes a
 * stack-tagged rule it finds, and this revokes it by its rule id.
 */
import { RevokeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import type { ResourceStep } from '../plan/index.ts';
import { call, DeployError, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';

type BackendRuleStep = Extract<ResourceStep, { kind: 'BackendAccessRule' }>;

export async function applyBackendRule(ctx: DeployContext, step: BackendRuleStep): Promise<void> {
  if (step.step !== 'delete' && step.step !== 'delete-replaced') {
    throw new DeployError(
      `backend rule ${step.id}: the planner only deletes stack-tagged backend rules; access is granted cluster-wide`,
    );
  }
  await call(ctx, 'RevokeSecurityGroupIngress', () =>
    unlessGone('InvalidPermission.NotFound', () =>
      ctx.clients.ec2.send(
        new RevokeSecurityGroupIngressCommand({
          GroupId: step.actual.securityGroupId,
          SecurityGroupRuleIds: [step.actual.securityGroupRuleId],
        }),
        sendOptions(ctx),
      ),
    ),
  );
}
