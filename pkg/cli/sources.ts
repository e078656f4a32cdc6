/**
 * `-f` arguments → manifest documents: files, directories (recursively, `*.yaml`,
 * `*.yml`, `*.json`, in name order so output never depends on the file system), and `-`
 * for stdin. The only file-system reading of the CLI.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { CliIo } from './io.ts';
import type { ManifestDocument } from './manifests.ts';
import { parseManifests } from './manifests.ts';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export type SourcesResult =
  | {
      readonly ok: true;
      readonly documents: readonly ManifestDocument[];
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly error: string; readonly usage: boolean };

export async function readSources(paths: readonly string[], io: CliIo): Promise<SourcesResult> {
  const documents: ManifestDocument[] = [];
  const notes: string[] = [];
  let stdinRead = false;
  for (const path of paths) {
    let files: { name: string; text: () => Promise<string> }[];
    if (path === '-') {
      if (stdinRead) continue;
      stdinRead = true;
      files = [{ name: '<stdin>', text: io.readStdin }];
    } else {
      const found = await manifestFiles(resolve(io.cwd, path), path);
      if (!found.ok) return { ok: false, error: found.error, usage: true };
      if (found.files.length === 0) notes.push(`${path}: no *.yaml, *.yml or *.json files found`);
      files = found.files.map((file) => ({
        name: file.shown,
        text: () => readFile(file.absolute, 'utf8'),
      }));
    }
    for (const file of files) {
      const parsed = parseManifests(await file.text(), file.name);
      if (!parsed.ok) return { ok: false, error: parsed.error, usage: false };
      documents.push(...parsed.documents);
      notes.push(...parsed.notes);
    }
  }
  return { ok: true, documents, notes };
}

interface FoundFile {
  readonly absolute: string;
  /** As the user would recognise it: relative to what they passed. */
  readonly shown: string;
}

async function manifestFiles(
  absolute: string,
  shown: string,
): Promise<{ ok: true; files: FoundFile[] } | { ok: false; error: string }> {
  let info;
  try {
    info = await stat(absolute);
  } catch {
    return { ok: false, error: `-f ${shown}: no such file or directory` };
  }
  if (!info.isDirectory()) return { ok: true, files: [{ absolute, shown }] };
  const entries = await readdir(absolute, { withFileTypes: true });
  const files: FoundFile[] = [];
  for (const entry of [...entries].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    if (entry.name.startsWith('.')) continue;
    const child = join(absolute, entry.name);
    const childShown = join(shown, entry.name);
    if (entry.isDirectory()) {
      const nested = await manifestFiles(child, childShown);
      if (nested.ok) files.push(...nested.files);
    } else if (MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      files.push({ absolute: child, shown: childShown });
    }
  }
  return { ok: true, files };
}
