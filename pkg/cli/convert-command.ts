/** `albatross convert`: beta Ingresses rewritten as networking.k8s.io/v1, the rest as given. */
import { stringify } from 'yaml';
import { convertLegacyIngress, isLegacyIngress } from '../ingress/index.ts';
import { parseConvertArgs } from './args.ts';
import { CONVERT_HELP } from './help.ts';
import type { CliIo, ExitCode } from './io.ts';
import type { ManifestDocument } from './manifests.ts';
import { readSources } from './sources.ts';

export async function runConvert(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const args = parseConvertArgs('convert', argv);
  if (args.kind === 'help') {
    io.stdout(CONVERT_HELP);
    return 0;
  }
  if (args.kind === 'usage-error') {
    io.stderr(`${args.message}\n`);
    return 2;
  }
  const sources = await readSources(args.options.files, io);
  if (!sources.ok) {
    io.stderr(`albatross convert: ${sources.error}\n`);
    return 2;
  }
  for (const note of sources.notes) io.stderr(`note: ${note}\n`);
  const { yaml, converted } = convertDocuments(sources.documents);
  if (converted.length === 0) io.stderr('note: no beta Ingress in the input; printed unchanged\n');
  for (const source of converted) io.stderr(`note: converted ${source}\n`);
  io.stdout(yaml);
  return 0;
}

/** Pure: documents → multi-document YAML, and which documents were converted. */
export function convertDocuments(documents: readonly ManifestDocument[]): {
  readonly yaml: string;
  readonly converted: readonly string[];
} {
  const converted: string[] = [];
  const texts = documents.map(({ source, object }) => {
    if (!isLegacyIngress(object)) return stringify(object);
    converted.push(source);
    return stringify(convertLegacyIngress(object).ingress);
  });
  return { yaml: texts.join('---\n'), converted };
}
