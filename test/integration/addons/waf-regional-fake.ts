/**
 * Classic WAF Regional is not served by moto, so its path is tested with a real SDK
 * client whose requests never leave the process: a middleware at the front of the stack
 * answers the three calls Albatross makes (GetWebACLForResource, AssociateWebACL,
 * DisassociateWebACL) from a map and records each in the shared call counter, as the
 * counting middleware would for a call on the wire. Everything else about the client (commands, counting, errors) is the
 * SDK's own.
 */
import { WAFRegionalClient } from '@aws-sdk/client-waf-regional';
import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-waf-regional';
import type { InitializeMiddleware } from '@smithy/types';
import type { CallCounter } from '../../../pkg/aws/index.ts';

export interface FakeWafRegional {
  readonly client: WAFRegionalClient;
  /** Web ACL id by resource ARN: what "AWS" has. */
  readonly associations: Map<string, string>;
}

export function fakeWafRegional(region: string, calls: CallCounter): FakeWafRegional {
  const associations = new Map<string, string>();
  const client = new WAFRegionalClient({
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const answer: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (_next, context) => (args) => {
      const input = args.input as { ResourceArn?: string; WebACLId?: string };
      const arn = input.ResourceArn ?? '';
      const operation = String(context.commandName).replace(/Command$/, '');
      calls.record({ service: 'waf-regional', operation, outcome: 'success' });
      let output = {};
      if (operation === 'GetWebACLForResource') {
        const id = associations.get(arn);
        output = id === undefined ? {} : { WebACLSummary: { WebACLId: id, Name: id } };
      } else if (operation === 'AssociateWebACL') {
        associations.set(arn, input.WebACLId ?? '');
      } else if (operation === 'DisassociateWebACL') {
        associations.delete(arn);
      } else {
        return Promise.reject(new Error(`the fake WAF Regional does not serve ${operation}`));
      }
      return Promise.resolve({
        output: { $metadata: {}, ...output },
        response: {},
      });
    };
  client.middlewareStack.add(answer, { step: 'initialize', priority: 'high', name: 'fakeWaf' });
  return { client, associations };
}
