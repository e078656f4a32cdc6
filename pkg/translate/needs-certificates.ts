import type { Stack } from '../model/index.ts';

/**
 * True when a stack built without the certificate list has a listener that discovers
 * certificates: the controller then reads ACM (through its cache) and builds again, so a
 * group that gives its certificates costs no ACM read.
 */
export function needsCertificates(stack: Stack): boolean {
  return stack.listeners.some((l) => l.certificateDiscovery?.resolved === false);
}
