import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { DockerfileParser, type Copy } from 'dockerfile-ast';
import { parse } from 'yaml';
import type createDockerignore from '@balena/dockerignore';
import { interpolateAll } from './interpolate.js';

/** The files the static checks read, parsed; every check works from these. */
// CommonJS whose typings declare an ES default export; require it as Node loads it.
const dockerignore = createRequire(import.meta.url)('@balena/dockerignore') as typeof createDockerignore.default;

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const readRepoFile = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
export const existsInRepo = (file: string) => existsSync(path.join(REPO_ROOT, file));
export const isDirectoryInRepo = (file: string) =>
  existsInRepo(file) && statSync(path.join(REPO_ROOT, file)).isDirectory();

export const COMPOSE_FILE = 'docker-compose.yml';
export const DOCKERFILE = 'docker/Dockerfile';

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | number>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  restart?: string;
  volumes?: string[];
  tmpfs?: string[];
  network_mode?: string;
  /** Compose runs the service only when one of these profiles is active. */
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** `.env.example` as Compose reads a `.env` file. */
export function envExample(): Record<string, string> {
  return parseEnv(readRepoFile('.env.example')) as Record<string, string>;
}

/** docker-compose.yml with its YAML merge keys applied and its variables interpolated from `vars`. */
export function loadCompose(vars: Record<string, string | undefined> = envExample()): ComposeFile {
  return interpolateAll(parse(readRepoFile(COMPOSE_FILE), { merge: true }), vars) as ComposeFile;
}

/** A service's environment as a map, whichever of Compose's two forms the file uses. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const entries = Array.isArray(service.environment)
    ? service.environment.map((entry) => [entry.split('=')[0]!, entry.slice(entry.indexOf('=') + 1)])
    : Object.entries(service.environment ?? {}).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

export interface DockerInstruction {
  keyword: string;
  /** Everything after the keyword and its flags. */
  content: string;
  args: string[];
  /** COPY --from. */
  from?: string;
  line: number;
}

export interface BuildStage {
  name: string;
  base: string;
  instructions: DockerInstruction[];
}

/** The Dockerfile's stages in order, each with its instructions. */
export function dockerfileStages(text = readRepoFile(DOCKERFILE)): BuildStage[] {
  const stages: BuildStage[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const args = instruction.getArguments().map((argument) => argument.getValue());
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const name = args[2] ?? `stage-${stages.length}`;
      stages.push({ name, base: args[0]!, instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({
      keyword,
      content: instruction.getArgumentsContent() ?? '',
      args,
      from: keyword === 'COPY' ? ((instruction as Copy).getFromFlag()?.getValue() ?? undefined) : undefined,
      line: instruction.getRange().start.line + 1,
    });
  }
  return stages;
}

/** The exec-form command of CMD or HEALTHCHECK … CMD, e.g. `["node", "x.ts"]`. */
export function execCommand(content: string): string[] {
  const json = content.slice(content.indexOf('['));
  return JSON.parse(json) as string[];
}

/** Whether .dockerignore keeps a repository path out of the build context. */
export function dockerignored(file: string): boolean {
  return dockerignore().add(readRepoFile('.dockerignore').split('\n')).ignores(file.replace(/\/$/, ''));
}
