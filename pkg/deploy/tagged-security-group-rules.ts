/**
 * Security group rules found by our tags, all pages of them. The filters only narrow the
 * read; callers still check the tags each rule really carries before trusting it as ours.
 */
import { DescribeSecurityGroupRulesCommand } from '@aws-sdk/client-ec2';
import type { SecurityGroupRule } from '@aws-sdk/client-ec2';
import { call, sendOptions } from './context.ts';
import type { DeployContext } from './context.ts';

/** Every rule carrying all of `tags` (tag key → value): one tag-filtered read per page. */
export async function describeTaggedSecurityGroupRules(
  ctx: DeployContext,
  tags: Readonly<Record<string, string>>,
): Promise<SecurityGroupRule[]> {
  const filters = Object.entries(tags).map(([key, value]) => ({
    Name: `tag:${key}`,
    Values: [value],
  }));
  const rules: SecurityGroupRule[] = [];
  let token: string | undefined;
  do {
    const page = await call(ctx, 'DescribeSecurityGroupRules', () =>
      ctx.clients.ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: filters,
          ...(token === undefined ? {} : { NextToken: token }),
        }),
        sendOptions(ctx),
      ),
    );
    rules.push(...(page.SecurityGroupRules ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return rules;
}
