import { createHash } from 'node:crypto';
import { readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { IDE_DIST } from './ideDist.js';

const GATEWAY_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SOURCE_DIR = path.join(GATEWAY_ROOT, 'ide');
const STAMP = 'build-stamp.json';

const require = createRequire(path.join(SOURCE_DIR, 'main.tsx'));
const BUNDLED_PACKAGES = [
  'graphiql',
  '@graphiql/react',
  'monaco-editor',
  'monaco-graphql',
  'react',
  'react-dom',
  'esbuild',
];

/** Monaco's language workers, each bundled as a classic worker script. */
const WORKERS = {
  'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
  'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
  'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
};

function versionOf(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unresolved';
  }
}

/** Identifies a build: the IDE sources and the versions of everything bundled. */
async function inputsHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(SOURCE_DIR)).sort()) {
    if (/\.(tsx?|css)$/.test(file)) hash.update(file).update(await readFile(path.join(SOURCE_DIR, file)));
  }
  for (const name of BUNDLED_PACKAGES) hash.update(`${name}@${versionOf(name)}`);
  return hash.digest('hex');
}

async function stampOf(dir: string): Promise<string | undefined> {
  try {
    return (JSON.parse(await readFile(path.join(dir, STAMP), 'utf8')) as { inputs?: string }).inputs;
  } catch {
    return undefined;
  }
}

async function bundle(outdir: string): Promise<void> {
  const common = {
    bundle: true,
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    target: 'es2022',
  } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: { ide: path.join(SOURCE_DIR, 'main.tsx') },
      outdir,
      format: 'esm',
      splitting: true,
      jsx: 'automatic',
      chunkNames: 'chunks/[name]-[hash]',
      assetNames: 'assets/[name]-[hash]',
    }),
    build({ ...common, entryPoints: WORKERS, outdir, format: 'iife' }),
  ]);
}

/**
 * Bundles GraphiQL, Monaco and their workers from node_modules into `IDE_DIST`, unless the
 * bundle there was built from the same inputs. Builds into a fresh folder and swaps it in,
 * so a gateway serving the old bundle never sees a half-written one.
 */
export async function buildIde({ force = false } = {}): Promise<{ built: boolean; dir: string }> {
  const inputs = await inputsHash();
  if (!force && (await stampOf(IDE_DIST)) === inputs) return { built: false, dir: IDE_DIST };
  const staging = `${IDE_DIST}.${process.pid}.${Date.now()}`;
  try {
    await bundle(staging);
    await writeFile(path.join(staging, STAMP), `${JSON.stringify({ inputs, builtAt: new Date().toISOString() })}\n`);
    const old = `${staging}.old`;
    await rename(IDE_DIST, old).catch(() => undefined);
    await rename(staging, IDE_DIST);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { built: true, dir: IDE_DIST };
}
