import { globSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes the package manifests of the runtime image: only the workspaces the services
 * need, with no devDependencies and no scripts. `npm ci --omit=dev` cannot do this in a
 * workspace: every workspace is a production dependency of the root (so test helpers and
 * their vitest would ship), and optional peers such as typescript stay installed.
 *
 * Runs with plain Node (type stripping) in the image build, before any dependency exists:
 * `node docker/runtimeManifests.ts <from> <to> <workspace>...`.
 */
export interface Manifest {
  name?: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  [field: string]: unknown;
}

export interface RuntimeManifests {
  root: Manifest;
  /** By workspace folder, e.g. `subgraphs/recipes`. */
  workspaces: Map<string, Manifest>;
}

function withoutDevelopmentFields({ devDependencies: _dev, scripts: _scripts, ...rest }: Manifest): Manifest {
  return rest;
}

/** The root's own dependencies and the named workspaces, and every workspace they depend on. */
export function runtimeManifests(
  root: Manifest,
  workspaces: Map<string, Manifest>,
  services: string[],
): RuntimeManifests {
  const folderOf = new Map([...workspaces].map(([folder, manifest]) => [manifest.name, folder]));
  const pending = [...Object.keys(root.dependencies ?? {}), ...services].filter((name) => folderOf.has(name));
  for (const service of services) {
    if (!folderOf.has(service)) throw new Error(`no workspace named ${service}`);
  }
  const kept = new Set<string>();
  while (pending.length > 0) {
    const folder = folderOf.get(pending.pop()!)!;
    if (kept.has(folder)) continue;
    kept.add(folder);
    pending.push(...Object.keys(workspaces.get(folder)!.dependencies ?? {}).filter((name) => folderOf.has(name)));
  }
  const keptFolders = [...kept].sort();
  return {
    root: { ...withoutDevelopmentFields(root), workspaces: keptFolders },
    workspaces: new Map(keptFolders.map((folder) => [folder, withoutDevelopmentFields(workspaces.get(folder)!)])),
  };
}

function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

function writeManifest(file: string, manifest: Manifest): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}

if (import.meta.main) {
  const [from = '.', to = 'runtime', ...services] = process.argv.slice(2);
  const root = readManifest(path.join(from, 'package.json'));
  const folders = (root.workspaces ?? []).flatMap((pattern) =>
    globSync(`${pattern}/package.json`, { cwd: from }).map((file) => path.dirname(file)),
  );
  const workspaces = new Map(folders.map((folder) => [folder, readManifest(path.join(from, folder, 'package.json'))]));
  const runtime = runtimeManifests(root, workspaces, services);
  writeManifest(path.join(to, 'package.json'), runtime.root);
  for (const [folder, manifest] of runtime.workspaces) writeManifest(path.join(to, folder, 'package.json'), manifest);
  writeFileSync(path.join(to, 'package-lock.json'), readFileSync(path.join(from, 'package-lock.json')));
  console.log(`runtime workspaces: ${[...runtime.workspaces.keys()].join(', ')}`);
}
