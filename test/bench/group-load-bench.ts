/**
 * Group load per reconcile at 5,000 Ingresses (issue 13 item 10): what a reconcile spends
 * finding its group, before (the full grouping of every cached Ingress, then the group
 * by id) and after (the caches' group index, O(the group's Ingresses)). 4,000 Ingresses
 * in their own implicit groups and 1,000 in 100 explicit groups of 10, all with their
 * finalizers, as a converged cluster holds them. In-process, no API server.
 */
import type { V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import { finalizerFor, groupIngresses, ingressKeyOf } from '../../pkg/ingress/index.ts';
import type { ClassParamsInput, GroupKey } from '../../pkg/ingress/index.ts';
import { CachedGroups } from '../../pkg/k8s/cached-groups.ts';
import { defaultTranslateConfig } from '../../pkg/translate/index.ts';
import { formatFigures, measure } from './measure.ts';

const IMPLICIT = 4000;
const EXPLICIT_GROUPS = 100;
const PER_GROUP = 10;

function ingress(namespace: string, name: string, group: string | undefined): V1Ingress {
  const key: GroupKey =
    group === undefined ? { kind: 'implicit', namespace, name } : { kind: 'explicit', name: group };
  return {
    metadata: {
      name,
      namespace,
      annotations: group === undefined ? {} : { 'alb.ingress.kubernetes.io/group.name': group },
      finalizers: [finalizerFor(key)],
    },
    spec: {
      ingressClassName: 'alb',
      rules: [
        {
          host: `${name}.${namespace}.example.com`,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  };
}

export function bench(): void {
  const ingresses = new Map<string, V1Ingress>();
  const add = (i: V1Ingress): void => {
    ingresses.set(ingressKeyOf(i), i);
  };
  for (let i = 0; i < IMPLICIT; i++)
    add(ingress(`ns-${String(i % 50)}`, `app-${String(i)}`, undefined));
  for (let g = 0; g < EXPLICIT_GROUPS; g++) {
    for (let m = 0; m < PER_GROUP; m++) {
      add(ingress(`team-${String(g)}`, `member-${String(m)}`, `shared-${String(g)}`));
    }
  }
  const classes = new Map<string, V1IngressClass>([
    [
      'alb',
      { metadata: { name: 'alb' }, spec: { controller: defaultTranslateConfig.controllerName } },
    ],
  ]);
  const params: ClassParamsInput = { params: undefined, namespaceLabels: new Map() };
  const config = defaultTranslateConfig;
  const list = [...ingresses.values()];
  const cached = new CachedGroups({
    ingress: (key) => ingresses.get(key),
    ingressList: () => list,
    ingressClassMap: () => classes,
    classParamsInput: () => params,
  });
  const full = (id: string) =>
    groupIngresses(list, classes, config, params).find((g) => g.id === id);
  const implicitId = 'ns-7/app-1207';
  const explicitId = 'shared-42';

  console.log(
    `group load: ${String(ingresses.size)} Ingresses (${String(IMPLICIT)} implicit groups, ${String(EXPLICIT_GROUPS)} groups of ${String(PER_GROUP)})`,
  );
  for (const [label, id] of [
    ['1-Ingress group', implicitId],
    ['10-Ingress group', explicitId],
  ] as const) {
    console.log(
      `  ${formatFigures(measure(`before (full grouping), ${label}`, () => full(id), { warmup: 3, runs: 21 }))}`,
    );
    const after = measure(`after (index), ${label}`, () => cached.group(id, config), {
      warmup: 100,
      runs: 1001,
    });
    console.log(
      `  ${after.name}: median ${(after.medianMs * 1000).toFixed(1)} µs, p90 ${(after.p90Ms * 1000).toFixed(1)} µs over ${String(after.runs)} runs`,
    );
  }
  // What a class, params or namespace change costs: the next load rebuilds the index.
  const rebuild = measure(
    'index rebuild after a class change (then one load)',
    () => {
      cached.invalidate();
      return cached.group(explicitId, config);
    },
    { warmup: 2, runs: 11 },
  );
  console.log(`  ${formatFigures(rebuild)}`);
}
