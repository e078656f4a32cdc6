/**
 * Manifest text → documents. YAML (JSON is YAML too), several documents per file, and
 * `List` kinds (what `kubectl get -o yaml` prints) unrolled into their items. A syntax
 * error names the file, line and column, as an editor would want them.
 */
import { LineCounter, parseAllDocuments } from 'yaml';

/** One Kubernetes object read from a file, with where it came from. */
export interface ManifestDocument {
  /** `path` (or `<stdin>`) and the 1-based document index, for messages. */
  readonly source: string;
  readonly object: Readonly<Record<string, unknown>>;
}

export type ParseResult =
  | {
      readonly ok: true;
      readonly documents: readonly ManifestDocument[];
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly error: string };

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseManifests(text: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const documents: ManifestDocument[] = [];
  const notes: string[] = [];
  for (const [index, document] of all.entries()) {
    const error = document.errors[0];
    if (error !== undefined) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const reason = error.message.split('\n')[0] ?? error.message;
      return { ok: false, error: `${file}:${line}:${col}: YAML syntax error: ${reason}` };
    }
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    const source = all.length > 1 ? `${file} (document ${index + 1})` : file;
    if (value === null || value === undefined) continue;
    if (!isRecord(value)) {
      notes.push(
        `${source}: not a Kubernetes object (a ${Array.isArray(value) ? 'list' : typeof value}); ignored`,
      );
      continue;
    }
    if (
      typeof value.kind === 'string' &&
      value.kind.endsWith('List') &&
      Array.isArray(value.items)
    ) {
      for (const [itemIndex, item] of value.items.entries()) {
        if (isRecord(item))
          documents.push({ source: `${source} item ${itemIndex + 1}`, object: item });
      }
      continue;
    }
    documents.push({ source, object: value });
  }
  return { ok: true, documents, notes };
}
