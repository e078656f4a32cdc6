/**
 * Lays out the files of the container image: `node scripts/image-layout.ts SRC OUT`.
 *
 * SRC is a built checkout (package.json, package-lock.json, dist/ and node_modules/ from
 * `npm ci`); OUT receives what the package publishes (`npm pack`'s file list) and the
 * production dependencies of the lockfile, at the lockfile's paths — what
 * `npm ci --omit=dev` would install, taken from the packages SRC already has. The
 * Dockerfile runs this in its build stage and copies OUT into the runtime image;
 * test/e2e/image-layout.test.ts runs the same script, so the image and its test cannot
 * describe different layouts.
 *
 * Node builtins only: it runs in the build image before anything else is installed.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface LockPackage {
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly link?: boolean;
}

interface PackEntry {
  readonly files: readonly { readonly path: string }[];
}

export interface LayoutSummary {
  readonly packageFiles: number;
  readonly dependencies: number;
}

export function layOutImage(src: string, out: string): LayoutSummary {
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: src,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as readonly PackEntry[];
  const files = packed[0]?.files ?? [];
  if (!files.some((f) => f.path === 'package.json')) {
    throw new Error(`npm pack in ${src} listed no package.json`);
  }
  for (const f of files) place(join(src, f.path), join(out, f.path));

  const lock = JSON.parse(readFileSync(join(src, 'package-lock.json'), 'utf8')) as {
    readonly packages?: Readonly<Record<string, LockPackage>>;
  };
  let dependencies = 0;
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || entry.dev === true || entry.link === true) continue;
    const from = join(src, path);
    if (!exists(from)) {
      // An optional dependency for another platform is in the lockfile but not installed.
      if (entry.optional === true) continue;
      throw new Error(`${path} is a production dependency in package-lock.json but not in ${src}`);
    }
    copyTree(from, join(out, path));
    dependencies++;
  }
  return { packageFiles: files.length, dependencies };
}

/** A package's own files; its nested node_modules are lockfile entries of their own. */
function copyTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name === 'node_modules' && entry.isDirectory()) continue;
    const a = join(from, entry.name);
    const b = join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b);
    else place(a, b);
  }
}

/** Hard-links a file (same file system, no copy), else copies it; keeps symlinks. */
function place(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  if (lstatSync(from).isSymbolicLink()) {
    symlinkSync(readlinkSync(from), to);
    return;
  }
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  const [src, out] = process.argv.slice(2);
  if (src === undefined || out === undefined) {
    process.stderr.write('usage: node scripts/image-layout.ts SRC OUT\n');
    process.exit(2);
  }
  const summary = layOutImage(src, out);
  process.stdout.write(
    `image layout: ${String(summary.packageFiles)} package files, ${String(summary.dependencies)} production dependencies in ${out}\n`,
  );
}
