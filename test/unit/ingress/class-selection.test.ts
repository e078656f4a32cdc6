import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOurIngress } from '../../../pkg/ingress/index.ts';
import { classMap, config, ingress, ingressClass } from './fixtures.ts';

const ours = ingressClass('alb', 'albatross.dev/alb');
const oursDefault = ingressClass('alb', 'albatross.dev/alb', { isDefault: true });
const nginx = ingressClass('nginx', 'k8s.io/ingress-nginx');
const nginxDefault = ingressClass('nginx', 'k8s.io/ingress-nginx', { isDefault: true });
const reference = ingressClass('aws', 'ingress.k8s.aws/alb');

describe('class selection', () => {
  const cases = [
    {
      name: 'legacy annotation equal to our class is ours, whatever ingressClassName says',
      annotations: { 'kubernetes.io/ingress.class': 'alb' },
      className: 'nginx',
      classes: [ours, nginx],
      want: true,
    },
    {
      name: 'legacy annotation naming another class is not ours, even with our ingressClassName',
      annotations: { 'kubernetes.io/ingress.class': 'nginx' },
      className: 'alb',
      classes: [ours],
      want: false,
    },
    {
      name: 'legacy annotation works without any IngressClass object',
      annotations: { 'kubernetes.io/ingress.class': 'alb' },
      classes: [],
      want: true,
    },
    {
      name: 'ingressClassName naming a class with our controller is ours',
      className: 'alb',
      classes: [ours, nginx],
      want: true,
    },
    {
      name: 'ingressClassName naming a class of another controller is not ours',
      className: 'aws',
      classes: [ours, reference],
      want: false,
    },
    {
      name: 'ingressClassName naming a class that does not exist is not ours',
      className: 'missing',
      classes: [ours],
      want: false,
    },
    {
      name: 'no class at all falls to our default IngressClass',
      classes: [oursDefault, nginx],
      want: true,
    },
    {
      name: 'no class at all with another controller as default is not ours',
      classes: [ours, nginxDefault],
      want: false,
    },
    {
      name: 'no class and no default IngressClass is not ours',
      classes: [ours, nginx],
      want: false,
    },
    {
      name: 'ingressClassName wins over the default class',
      className: 'nginx',
      classes: [oursDefault, nginx],
      want: false,
    },
  ] as const;

  for (const c of cases) {
    it(c.name, () => {
      // GIVEN an Ingress and the cluster's IngressClasses
      const subject = ingress({
        name: 'app',
        ...('annotations' in c ? { annotations: c.annotations } : {}),
        ...('className' in c ? { className: c.className } : {}),
      });
      // WHEN we decide whether it is ours
      const got = isOurIngress(subject, classMap(...c.classes), config);
      // THEN
      assert.equal(got, c.want);
    });
  }

  it('with two default classes, the newest decides, as the API server picks it', () => {
    const older = ingressClass('alb', 'albatross.dev/alb', {
      isDefault: true,
      created: '2023-01-01T00:00:00Z',
    });
    const newer = ingressClass('nginx', 'k8s.io/ingress-nginx', {
      isDefault: true,
      created: '2024-01-01T00:00:00Z',
    });
    assert.equal(isOurIngress(ingress({ name: 'app' }), classMap(older, newer), config), false);
    assert.equal(isOurIngress(ingress({ name: 'app' }), classMap(newer, older), config), false);
  });
});
