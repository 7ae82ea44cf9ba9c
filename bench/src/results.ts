import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/stack.js';
import { machine } from './stats.js';

/**
 * Writes a benchmark's result as JSON into `bench/results` (or `dir`, from BENCH_RESULTS_DIR),
 * named by its kind and date, e.g. `events-2026-12-02T05-40-14-760Z.json`; returns the file.
 */
export async function writeResult<Result extends { date: string }>(
  kind: string,
  result: Result,
  dir?: string,
): Promise<string> {
  const target = dir ?? path.join(REPO_ROOT, 'bench', 'results');
  await mkdir(target, { recursive: true });
  const file = path.join(target, `${kind}-${result.date.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** What every result starts with: which benchmark, when, and on what machine (one line). */
export function resultHeader(benchmark: string): { benchmark: string; date: string; machine: string } {
  return { benchmark, date: new Date().toISOString(), machine: machine() };
}
