/** Usage texts, printed by `--help` and kept next to the flags they describe. */
import { DEFAULT_CLUSTER_NAME } from './args.ts';
import { flagHelp } from './flag-reader.ts';
import { STACK_FLAGS } from './translate-flags.ts';

export const TOP_HELP = `albatross: a Kubernetes Ingress controller that provisions AWS Application Load Balancers

Usage:
  albatross plan -f PATH... [flags]     show the ALBs and the plan that manifests would produce
  albatross convert -f PATH...          print beta (v1beta1) Ingresses as networking.k8s.io/v1
  albatross controller [flags]          run the controller in a cluster
  albatross demo                        run the controller against a local API server and AWS emulator

  albatross --version | --help
  albatross COMMAND --help
`;

export const PLAN_HELP = `Usage: albatross plan -f PATH... [--output json|text] [controller flags]

Reads Kubernetes manifests (Ingress, IngressClass, IngressClassParams, Namespace,
Service, EndpointSlice, Node, TargetGroupBinding) and shows, for every IngressGroup, the
ALB, listeners, rules, target groups and security groups Albatross would build, and the
changes to create them in an empty account. Needs no cluster and no AWS account.

Flags:
  -f, --filename PATH     a file, a directory (read recursively: *.yaml, *.yml, *.json)
                          or - for stdin; repeatable
  -o, --output FORMAT     text (default on a terminal) or json (default otherwise)
  -h, --help

The controller's flags that change what it builds, read and checked as the controller
reads them (give the ones your cluster's controller runs with; environment variables
are not read):
${flagHelp(
  STACK_FLAGS.map((f) =>
    f.name === 'cluster-name'
      ? { ...f, default: DEFAULT_CLUSTER_NAME, help: 'Feeds resource names and ownership tags.' }
      : f,
  ),
  false,
).join('\n')}

Without Node or EndpointSlice objects, targets are shown as unknown. Without an
IngressClass, the class 'alb' of controller albatross.dev/alb is assumed to exist and be
the cluster's default.

Exit status: 0 no error problems, 1 some Ingress has an error problem, 2 usage error or
unreadable input.
`;

export const CONVERT_HELP = `Usage: albatross convert -f PATH...

Prints every document of the input as YAML, with extensions/v1beta1 and
networking.k8s.io/v1beta1 Ingresses converted to networking.k8s.io/v1 (serviceName and
servicePort become service.name and service.port, backend becomes defaultBackend, a path
without pathType becomes ImplementationSpecific). Other documents are printed unchanged.

Flags:
  -f, --filename PATH     a file, a directory or - for stdin; repeatable
  -h, --help
`;
