import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../../scripts/stack.js';
import { renderCharts } from './renderCharts.js';

const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const DOCS_DIR = path.join(REPO_ROOT, 'docs', 'bench');

/** Result names carry their date, so the newest of a kind sorts last. */
async function isNewestCommitted(resultFile: string, kind: string): Promise<boolean> {
  if (path.resolve(path.dirname(resultFile)) !== RESULTS_DIR) return false;
  const names = (await readdir(RESULTS_DIR)).filter((name) => name.startsWith(`${kind}-`) && name.endsWith('.json'));
  return names.sort().at(-1) === path.basename(resultFile);
}

/**
 * Draws a result file's charts (from the file, as written: a percentile of no samples is null
 * there, NaN before) and writes each next to it (`gateways-<date>-throughput.svg`). When the result
 * is the newest of its kind in bench/results, also under the stable names the README embeds
 * (`docs/bench/gateways-throughput.svg`), removing any there this result cannot draw; smoke
 * runs and older results never replace those. Returns the files written.
 */
export async function writeCharts(resultFile: string): Promise<string[]> {
  const result: unknown = JSON.parse(await readFile(resultFile, 'utf8'));
  const { kind, charts } = renderCharts(result, path.basename(resultFile));
  const toDocs = await isNewestCommitted(resultFile, kind);
  const base = resultFile.replace(/\.json$/, '');
  const written: string[] = [];
  for (const { name, svg } of charts) {
    const stable = path.join(DOCS_DIR, `${kind}-${name}.svg`);
    if (svg === null) {
      if (toDocs) await rm(stable, { force: true });
      continue;
    }
    await writeFile(`${base}-${name}.svg`, `${svg}\n`);
    written.push(`${base}-${name}.svg`);
    if (toDocs) {
      await writeFile(stable, `${svg}\n`);
      written.push(stable);
    }
  }
  return written;
}
