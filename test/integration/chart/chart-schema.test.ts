/**
 * A wrong value fails `helm template` (and so `helm install`) before anything reaches
 * the cluster, with helm's message from values.schema.json naming the value's path and
 * what is allowed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helmWithValues } from '../../env/helm.ts';

const cases: readonly {
  readonly name: string;
  readonly values: Record<string, unknown>;
  readonly message: RegExp;
}[] = [
  { name: 'clusterName missing', values: {}, message: /missing property 'clusterName'/ },
  {
    name: 'clusterName empty',
    values: { clusterName: '' },
    message: /at '\/clusterName': '' does not match pattern/,
  },
  {
    name: 'clusterName with a space',
    values: { clusterName: 'prod eu' },
    message: /at '\/clusterName': 'prod eu' does not match pattern/,
  },
  {
    name: 'an unknown top-level key (a typo)',
    values: { replicas: 3 },
    message: /additional properties 'replicas' not allowed/,
  },
  {
    name: 'an unknown nested key',
    values: { webhook: { certManger: { enabled: true } } },
    message: /at '\/webhook': additional properties 'certManger' not allowed/,
  },
  {
    name: 'logLevel outside its enum',
    values: { logLevel: 'verbose' },
    message: /at '\/logLevel': value must be one of 'debug', 'info', 'warn', 'error'/,
  },
  {
    name: 'replicaCount as a word',
    values: { replicaCount: 'two' },
    message: /at '\/replicaCount': got string, want integer/,
  },
  {
    name: 'image.pullPolicy outside its enum',
    values: { image: { pullPolicy: 'Sometimes' } },
    message: /at '\/image\/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'/,
  },
  {
    name: 'an IRSA role that is not a role ARN',
    values: { serviceAccount: { roleArn: 'albatross-role' } },
    message: /at '\/serviceAccount\/roleArn': 'albatross-role' does not match pattern/,
  },
  {
    name: 'region that is not a region',
    values: { region: 'Ireland' },
    message: /at '\/region': 'Ireland' does not match pattern/,
  },
  {
    name: 'webhook timeout above the API server maximum',
    values: { webhook: { timeoutSeconds: 60 } },
    message: /at '\/webhook\/timeoutSeconds': maximum: got 60, want 30/,
  },
  {
    name: 'webhook.failurePolicy outside its enum',
    values: { webhook: { failurePolicy: 'Block' } },
    message: /at '\/webhook\/failurePolicy': value must be one of 'Ignore', 'Fail'/,
  },
  {
    name: 'webhook.objectSelector with an unknown operator',
    values: {
      webhook: { objectSelector: { matchExpressions: [{ key: 'team', operator: 'Equals' }] } },
    },
    message:
      /at '\/webhook\/objectSelector\/matchExpressions\/0\/operator': value must be one of 'In', 'NotIn', 'Exists', 'DoesNotExist'/,
  },
  {
    name: 'a port out of range',
    values: { ports: { metrics: 70000 } },
    message: /at '\/ports\/metrics': maximum: got 70,?000, want 65,?535/,
  },
  {
    name: 'an API server CIDR without a prefix length',
    values: { networkPolicy: { apiServer: { cidrs: ['10.0.0.1'] } } },
    message: /at '\/networkPolicy\/apiServer\/cidrs\/0': '10.0.0.1' does not match pattern/,
  },
  {
    name: 'topologySpread.whenUnsatisfiable outside its enum',
    values: { topologySpread: { whenUnsatisfiable: 'Never' } },
    message: /value must be one of 'ScheduleAnyway', 'DoNotSchedule'/,
  },
  {
    name: 'an IngressClassParams scheme outside its enum',
    values: { ingressClassParams: { create: true, spec: { scheme: 'public' } } },
    message:
      /at '\/ingressClassParams\/spec\/scheme': value must be one of 'internal', 'internet-facing'/,
  },
  {
    name: 'an extra argument that is not a flag',
    values: { extraArgs: ['workers=8'] },
    message: /at '\/extraArgs\/0': 'workers=8' does not match pattern/,
  },
];

describe('helm chart: wrong values fail with the schema message', () => {
  for (const c of cases) {
    it(c.name, () => {
      const values =
        'clusterName' in c.values || c.name === 'clusterName missing'
          ? c.values
          : { clusterName: 'prod-eu', ...c.values };
      const result = helmWithValues('template', values, 'albatross');
      assert.notEqual(result.status, 0, 'helm template failed');
      assert.equal(result.stdout, '', 'nothing rendered');
      assert.match(result.stderr, /values don't meet the specifications of the schema/);
      assert.match(result.stderr, c.message);
    });
  }

  it('the same values pass once corrected', () => {
    const result = helmWithValues(
      'template',
      { clusterName: 'prod-eu', replicaCount: 2, logLevel: 'debug', region: 'eu-west-1' },
      'albatross',
    );
    assert.equal(result.status, 0, result.stderr);
  });
});
