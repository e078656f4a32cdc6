/**
 * Performs an add-on step: associate or disassociate a WAFv2 or WAF Regional web ACL,
 * create or delete the Shield Advanced protection. The load balancer's ARN is the one
 * discovery found or the one this apply created. What the ALB has afterwards is kept in
 * the ApplyState, so the stack the apply leaves behind is known without reading it back.
 */
import {
  CreateProtectionCommand,
  DeleteProtectionCommand,
  DescribeProtectionCommand,
} from '@aws-sdk/client-shield';
import {
  AssociateWebACLCommand as AssociateRegionalCommand,
  DisassociateWebACLCommand as DisassociateRegionalCommand,
} from '@aws-sdk/client-waf-regional';
import {
  AssociateWebACLCommand,
  DisassociateWebACLCommand,
  ListWebACLsCommand,
} from '@aws-sdk/client-wafv2';
import { albAnnotation } from '../annotations/index.ts';
import { AwsError } from '../aws/index.ts';
import type { Wafv2Acl } from '../model/index.ts';
import type { AddonStep } from '../plan/index.ts';
import { call, callRetrying, DeployError, sendOptions, unlessGone } from './context.ts';
import type { DeployContext } from './context.ts';
import type { ApplyState } from './resolve.ts';

/** The ARN of a REGIONAL web ACL by name: ListWebACLs, page by page, until found. */
async function webAclArnByName(ctx: DeployContext, name: string): Promise<string> {
  let marker: string | undefined;
  do {
    const page = await call(ctx, 'ListWebACLs', () =>
      ctx.clients.wafv2.send(
        new ListWebACLsCommand({
          Scope: 'REGIONAL',
          Limit: 100,
          ...(marker === undefined ? {} : { NextMarker: marker }),
        }),
        sendOptions(ctx),
      ),
    );
    const found = (page.WebACLs ?? []).find((acl) => acl.Name === name);
    if (found?.ARN !== undefined) return found.ARN;
    marker =
      (page.WebACLs ?? []).length === 0 || page.NextMarker === '' ? undefined : page.NextMarker;
  } while (marker !== undefined);
  throw new DeployError(
    `${albAnnotation('wafv2-acl-name')} '${name}': no REGIONAL WAFv2 web ACL of that name in this region`,
  );
}

async function aclArn(ctx: DeployContext, acl: Wafv2Acl): Promise<string> {
  if (acl.kind === 'arn') return acl.arn;
  if (acl.kind === 'name') return webAclArnByName(ctx, acl.name);
  throw new DeployError('associate step without a web ACL');
}

async function protect(ctx: DeployContext, resourceArn: string): Promise<string> {
  try {
    const out = await call(ctx, 'CreateProtection', () =>
      ctx.clients.shield.send(
        new CreateProtectionCommand({
          Name: `albatross ${ctx.clusterName}`.slice(0, 128),
          ResourceArn: resourceArn,
        }),
        sendOptions(ctx),
      ),
    );
    return out.ProtectionId ?? '';
  } catch (err) {
    // Protected meanwhile (by another writer, or a step repeated after a crash): done.
    if (!(err instanceof AwsError && err.code === 'ResourceAlreadyExists')) throw err;
    const out = await call(ctx, 'DescribeProtection', () =>
      ctx.clients.shield.send(
        new DescribeProtectionCommand({ ResourceArn: resourceArn }),
        sendOptions(ctx),
      ),
    );
    return out.Protection?.Id ?? '';
  }
}

export async function applyAddon(
  ctx: DeployContext,
  state: ApplyState,
  step: AddonStep,
): Promise<void> {
  const resourceArn = step.loadBalancerArn ?? state.loadBalancer();
  const opts = sendOptions(ctx);
  switch (step.kind) {
    case 'WebAclAssociation': {
      if (step.step === 'disassociate') {
        await call(ctx, 'DisassociateWebACL', () =>
          ctx.clients.wafv2.send(new DisassociateWebACLCommand({ ResourceArn: resourceArn }), opts),
        );
        state.addons = { ...state.addons, wafv2: null };
        return;
      }
      const webAclArn = await aclArn(ctx, step.acl);
      await callRetrying(ctx, 'AssociateWebACL', () =>
        ctx.clients.wafv2.send(
          new AssociateWebACLCommand({ WebACLArn: webAclArn, ResourceArn: resourceArn }),
          opts,
        ),
      );
      state.addons = { ...state.addons, wafv2: webAclArn };
      return;
    }
    case 'WafRegionalAssociation': {
      if (step.step === 'disassociate') {
        await call(ctx, 'DisassociateWebACL', () =>
          ctx.clients.wafRegional.send(
            new DisassociateRegionalCommand({ ResourceArn: resourceArn }),
            opts,
          ),
        );
        state.addons = { ...state.addons, wafRegional: null };
        return;
      }
      const webAclId = step.webAclId;
      await callRetrying(ctx, 'AssociateWebACL', () =>
        ctx.clients.wafRegional.send(
          new AssociateRegionalCommand({ WebACLId: webAclId, ResourceArn: resourceArn }),
          opts,
        ),
      );
      state.addons = { ...state.addons, wafRegional: webAclId };
      return;
    }
    case 'ShieldProtection': {
      if (step.step === 'unprotect') {
        const protectionId = step.protectionId;
        await call(ctx, 'DeleteProtection', () =>
          unlessGone('ResourceNotFound', () =>
            ctx.clients.shield.send(
              new DeleteProtectionCommand({ ProtectionId: protectionId }),
              opts,
            ),
          ),
        );
        state.addons = { ...state.addons, shieldProtectionId: null };
        return;
      }
      state.addons = { ...state.addons, shieldProtectionId: await protect(ctx, resourceArn) };
      return;
    }
  }
}
