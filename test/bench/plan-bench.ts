/**
 * Build and plan at the sizes issue 3 sets goals for, through the same path as
 * `albatross plan` (manifests → inventory → groups → buildStack → planChanges against an
 * empty account):
 *   (a) one group: 100 Ingresses, 100 rules, 50 target groups, 5,000 targets
 *       (50 Ingresses forward to 50 NodePort Services, 50 answer with annotation actions;
 *       100 Ready nodes × 50 target groups) — goal < 20 ms;
 *   (b) 1,000 single-Ingress groups, each one rule to its own Service on 10 nodes —
 *       goal < 2 s.
 */
import type { ManifestDocument } from '../../pkg/cli/index.ts';
import { buildInventory } from '../../pkg/cli/index.ts';
import { groupIngresses } from '../../pkg/ingress/index.ts';
import { planChanges } from '../../pkg/plan/index.ts';
import type { Env, TranslateConfig } from '../../pkg/translate/index.ts';
import { buildStack, defaultTranslateConfig } from '../../pkg/translate/index.ts';
import type { Inventory } from '../../pkg/cli/index.ts';
import { formatFigures, measure } from './measure.ts';

const config: TranslateConfig = { ...defaultTranslateConfig, clusterName: 'bench' };

type Json = Record<string, unknown>;
const doc = (object: Json): ManifestDocument => ({ source: 'bench', object });

function node(i: number): Json {
  return {
    kind: 'Node',
    metadata: { name: `node-${i}`, labels: {} },
    spec: {
      providerID: `aws:///us-east-1${'abc'[i % 3] ?? 'a'}/i-${(0x1000000 + i).toString(16)}`,
    },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function service(namespace: string, name: string, nodePort: number): Json {
  return {
    kind: 'Service',
    metadata: { name, namespace },
    spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 8080, nodePort }] },
  };
}

function ingress(
  namespace: string,
  name: string,
  annotations: Json,
  host: string,
  path: string,
  backend: Json,
): Json {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace, annotations },
    spec: {
      ingressClassName: 'alb',
      rules: [
        { host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: backend } }] } },
      ],
    },
  };
}

const ingressClass = doc({
  kind: 'IngressClass',
  metadata: { name: 'alb' },
  spec: { controller: 'albatross.dev/alb' },
});

/** (a) one group of 100 Ingresses, 100 rules, 50 target groups, 5,000 targets. */
function bigGroup(): Inventory {
  const documents: ManifestDocument[] = [ingressClass];
  for (let i = 0; i < 100; i++) documents.push(doc(node(i)));
  for (let i = 0; i < 100; i++) {
    const group = {
      'alb.ingress.kubernetes.io/group.name': 'big',
      'alb.ingress.kubernetes.io/group.order': String(i % 10),
    };
    if (i < 50) {
      documents.push(doc(service('apps', `svc-${i}`, 30000 + i)));
      documents.push(
        doc(
          ingress('apps', `ing-${i}`, group, `app${i}.example.com`, `/api/v${i}`, {
            name: `svc-${i}`,
            port: { number: 80 },
          }),
        ),
      );
    } else {
      const action = {
        type: 'fixed-response',
        fixedResponseConfig: { statusCode: '404', contentType: 'text/plain' },
      };
      documents.push(
        doc(
          ingress(
            'apps',
            `ing-${i}`,
            { ...group, 'alb.ingress.kubernetes.io/actions.gone': JSON.stringify(action) },
            `old${i}.example.com`,
            `/legacy/${i}`,
            { name: 'gone', port: { name: 'use-annotation' } },
          ),
        ),
      );
    }
  }
  return buildInventory(documents);
}

/** (b) 1,000 groups of one Ingress each. */
function manyGroups(): Inventory {
  const documents: ManifestDocument[] = [ingressClass];
  for (let i = 0; i < 10; i++) documents.push(doc(node(i)));
  for (let i = 0; i < 1000; i++) {
    documents.push(doc(service(`ns-${i % 20}`, `svc-${i}`, 30000 + (i % 2000))));
    documents.push(
      doc(
        ingress(`ns-${i % 20}`, `ing-${i}`, {}, `app${i}.example.com`, '/', {
          name: `svc-${i}`,
          port: { number: 80 },
        }),
      ),
    );
  }
  return buildInventory(documents);
}

function envOf(inventory: Inventory): Env {
  return {
    services: inventory.services,
    endpointSlices: inventory.endpointSlices,
    nodes: inventory.nodes,
    ingressClasses: inventory.ingressClasses,
    subnets: undefined,
  };
}

/** Everything `albatross plan` computes after reading: counts returned to check the size. */
function buildAndPlan(inventory: Inventory, env: Env) {
  let rules = 0;
  let targetGroups = 0;
  let targets = 0;
  let changes = 0;
  let problems = 0;
  const groups = groupIngresses(inventory.ingresses, inventory.ingressClasses, config);
  for (const group of groups) {
    const built = buildStack(group, env, config);
    const plan = planChanges(built.stack, null);
    rules += built.stack.rules.length;
    targetGroups += built.stack.targetGroups.length;
    targets += built.stack.targetGroups.reduce((n, tg) => n + (tg.targets?.length ?? 0), 0);
    changes += plan.length;
    problems += built.problems.length;
  }
  return { groups: groups.length, rules, targetGroups, targets, changes, problems };
}

export function bench(): void {
  const a = bigGroup();
  const envA = envOf(a);
  console.log('plan (a):', JSON.stringify(buildAndPlan(a, envA)));
  console.log(
    formatFigures(
      measure('plan (a) 1 group × 100 Ingresses', () => buildAndPlan(a, envA), {
        warmup: 20,
        runs: 100,
      }),
      '< 20 ms',
    ),
  );

  const b = manyGroups();
  const envB = envOf(b);
  console.log('plan (b):', JSON.stringify(buildAndPlan(b, envB)));
  console.log(
    formatFigures(
      measure('plan (b) 1,000 single-Ingress groups', () => buildAndPlan(b, envB), {
        warmup: 3,
        runs: 15,
      }),
      '< 2 s',
    ),
  );
}
