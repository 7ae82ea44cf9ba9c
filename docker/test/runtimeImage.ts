import path from 'node:path';
import type { BuildStage } from './stackFiles.js';

/** What the runtime stage of the Dockerfile puts where, modelled from its instructions. */
export interface RuntimeImage {
  workdir: string;
  env: Record<string, string>;
  /** Repository paths copied from the build context, as COPY names them. */
  fromContext: Array<{ source: string; target: string; line: number }>;
  /** Paths copied from another stage: `source` inside that stage, `target` relative to the workdir. */
  fromStages: Array<{ stage: string; source: string; target: string; line: number }>;
}

const relative = (target: string) =>
  path.posix
    .normalize(target)
    .replace(/^\.\/?|\/$/g, '')
    .replace(/^\.$/, '');

/** The stage and the stages it is built FROM, base first. */
export function lineage(stages: BuildStage[], name: string): BuildStage[] {
  const stage = stages.find((candidate) => candidate.name === name);
  if (!stage) return [];
  return [...lineage(stages, stage.base), stage];
}

/**
 * Where a COPY puts one source, relative to the workdir. A directory's contents land in
 * the target; a file lands in the target folder (when it ends with "/") or at the target.
 */
export function copyTarget(source: string, target: string, sourceIsDirectory: boolean): string {
  if (sourceIsDirectory || !(target.endsWith('/') || relative(target) === '')) return relative(target);
  return relative(path.posix.join(target, path.posix.basename(source)));
}

export function runtimeImage(
  stages: BuildStage[],
  isDirectory: (source: string) => boolean,
  name = stages.at(-1)!.name,
): RuntimeImage {
  const chain = lineage(stages, name);
  const image: RuntimeImage = { workdir: '/', env: {}, fromContext: [], fromStages: [] };
  for (const stage of chain) {
    for (const instruction of stage.instructions) {
      if (instruction.keyword === 'WORKDIR') image.workdir = instruction.args[0]!;
      if (instruction.keyword === 'ENV') {
        for (const pair of instruction.args) image.env[pair.split('=')[0]!] = pair.slice(pair.indexOf('=') + 1);
      }
      if (instruction.keyword !== 'COPY' || stage !== chain.at(-1)) continue;
      const sources = instruction.args.slice(0, -1);
      const target = instruction.args.at(-1)!;
      for (const source of sources) {
        if (instruction.from) {
          image.fromStages.push({
            stage: instruction.from,
            source,
            target: copyTarget(source, target, true),
            line: instruction.line,
          });
        } else {
          image.fromContext.push({
            source,
            target: copyTarget(source, target, isDirectory(source)),
            line: instruction.line,
          });
        }
      }
    }
  }
  return image;
}

/** Whether a repository file reaches the runtime image at the same relative path. */
export function copiedFromContext(image: RuntimeImage, file: string): boolean {
  return image.fromContext.some(
    ({ source, target }) => relative(source) === target && (file === target || file.startsWith(`${target}/`)),
  );
}
