import { globSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IDE_DIST } from '../../gateway/src/ide/ideDist.js';
import { AS_DEPLOYED } from '../../bench/src/gateways/processes.js';
import { nodeArgsOf } from '../../scripts/stack.js';
import { runtimeManifests, type Manifest } from '../runtimeManifests.js';
import { copiedFromContext, lineage, runtimeImage } from './runtimeImage.js';
import {
  dockerfileStages,
  dockerignored,
  execCommand,
  existsInRepo,
  isDirectoryInRepo,
  loadCompose,
  readRepoFile,
  REPO_ROOT,
  type DockerInstruction,
} from './stackFiles.js';

const stages = dockerfileStages();
const runtime = stages.at(-1)!;
const image = runtimeImage(stages, isDirectoryInRepo);
const instructions = (keyword: string, stageName?: string): DockerInstruction[] =>
  stages
    .filter((stage) => stageName === undefined || stage.name === stageName)
    .flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === keyword));
const fromRepo = (file: string) => path.relative(REPO_ROOT, file).split(path.sep).join('/');

function readManifest(folder: string): Manifest {
  return JSON.parse(readRepoFile(path.posix.join(folder, 'package.json'))) as Manifest;
}

/** The manifests the runtime stage installs from, computed as the image build computes them. */
function imageManifests() {
  const run = instructions('RUN').find((instruction) => instruction.content.includes('docker/runtimeManifests.ts'));
  const args = run!.content.split(/\s+/);
  const services = args.slice(args.indexOf('docker/runtimeManifests.ts') + 3).filter((arg) => arg.startsWith('@'));
  const root = readManifest('.');
  const folders = (root.workspaces ?? []).flatMap((pattern) =>
    globSync(`${pattern}/package.json`, { cwd: REPO_ROOT }).map((file) => path.dirname(file)),
  );
  return runtimeManifests(root, new Map(folders.map((folder) => [folder, readManifest(folder)])), services);
}

/** Where each subgraph's Prisma client is generated, from the generator's `output` in schema.prisma. */
function prismaClientOutputs(): string[] {
  return globSync('subgraphs/*/prisma/schema.prisma', { cwd: REPO_ROOT }).map((schema) => {
    const output = readFileSync(path.join(REPO_ROOT, schema), 'utf8').match(/^\s*output\s*=\s*"([^"]+)"/m)![1]!;
    return path.posix.join(path.posix.dirname(schema), output);
  });
}

describe('docker/Dockerfile', () => {
  it('has dependencies, build and runtime stages on node:24-slim, runtime last', () => {
    expect(stages.map((stage) => stage.name)).toEqual(expect.arrayContaining(['dependencies', 'build', 'runtime']));
    expect(runtime.name).toBe('runtime');
    expect(lineage(stages, 'build').map((stage) => stage.name)).toContain('dependencies');
    expect(lineage(stages, 'runtime')[0]!.base).toBe('node:24-slim');
  });

  it('runs as a non-root user, with a HEALTHCHECK on /health/live that needs no curl', () => {
    const user = instructions('USER', 'runtime').at(-1)?.args[0];
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const healthcheck = execCommand(instructions('HEALTHCHECK', 'runtime')[0]!.content);
    expect(healthcheck.slice(0, 1)).toEqual(['node']);
    expect(healthcheck).toContain('/health/live');
    expect(copiedFromContext(image, healthcheck[1]!)).toBe(true);
    const command = execCommand(instructions('CMD', 'runtime')[0]!.content);
    expect(copiedFromContext(image, command.at(-1)!), `default command ${command.join(' ')}`).toBe(true);
  });

  it('runs the gateway by default, with the arguments npm start gives it', () => {
    expect(execCommand(instructions('CMD', 'runtime')[0]!.content)).toEqual(['node', ...nodeArgsOf('gateway')]);
  });

  it('runs libraries in the mode the benchmarks measure them in', () => {
    expect(image.env.NODE_ENV).toBe(AS_DEPLOYED.NODE_ENV);
  });

  it('installs production dependencies only, and only the workspaces the services need', () => {
    const installs = instructions('RUN', 'runtime').map((instruction) => instruction.content);
    expect(installs.some((command) => /npm ci\b.*--omit=dev/.test(command))).toBe(true);
    for (const { stage, source } of image.fromStages) {
      expect(source, `COPY --from=${stage}`).not.toMatch(/node_modules/);
    }
    const manifests = imageManifests();
    const folders = [...manifests.workspaces.keys()];
    expect(folders).not.toContain('packages/testing');
    for (const manifest of [manifests.root, ...manifests.workspaces.values()]) {
      expect(manifest.devDependencies, manifest.name).toBeUndefined();
    }
    // Every workspace holding an entry point of the compose file is installed.
    for (const service of Object.values(loadCompose().services)) {
      const entry = service.command?.at(-1) ?? '';
      const folder = folders.find((candidate) => entry.startsWith(`${candidate}/`));
      if (service.build) expect(folder ?? (entry.startsWith('scripts/') ? '.' : undefined), entry).toBeDefined();
    }
  });

  it('copies only paths the build context holds', () => {
    for (const copy of instructions('COPY').filter((instruction) => !instruction.from)) {
      for (const source of copy.args.slice(0, -1)) {
        expect(existsInRepo(source), `line ${copy.line}: ${source} exists`).toBe(true);
        if (source !== '.') expect(dockerignored(source), `line ${copy.line}: ${source} is not ignored`).toBe(false);
      }
    }
  });

  it('mirrors the repository layout, so paths relative to a source file still resolve', () => {
    for (const { source, target, line } of image.fromContext) {
      expect(target, `line ${line}`).toBe(path.posix.normalize(source).replace(/\/$/, ''));
    }
  });

  it('copies from the build stage exactly the generated code the services load', () => {
    const expected = [...prismaClientOutputs(), fromRepo(IDE_DIST)].sort();
    const copied = image.fromStages.filter(({ stage }) => stage === 'build');
    expect(copied.map(({ source }) => path.posix.relative(image.workdir, source)).sort()).toEqual(expected);
    for (const { source, target } of copied) expect(target).toBe(path.posix.relative(image.workdir, source));
    for (const output of expected) expect(dockerignored(output), `${output} is build output`).toBe(true);
  });

  it('runs only npm scripts and files that exist', () => {
    for (const run of instructions('RUN')) {
      for (const command of run.content.split('&&').map((part) => part.trim().split(/\s+/))) {
        if (command[0] === 'npm' && command[1] === 'run') {
          const flag = command.findIndex((arg) => arg === '--workspace' || arg === '-w');
          const workspace = flag === -1 ? undefined : command[flag + 1];
          const folder = workspace
            ? globSync('*/*/package.json', { cwd: REPO_ROOT })
                .concat(globSync('*/package.json', { cwd: REPO_ROOT }))
                .map((file) => path.dirname(file))
                .find((candidate) => readManifest(candidate).name === workspace)
            : '.';
          expect(folder, `line ${run.line}: workspace ${workspace}`).toBeDefined();
          expect(Object.keys(readManifest(folder!).scripts ?? {}), `line ${run.line}`).toContain(command[2]);
        }
        if (command[0] === 'node') {
          const file = command.find((arg, index) => index > 0 && !arg.startsWith('-'))!;
          expect(existsInRepo(file) && !dockerignored(file), `line ${run.line}: ${file}`).toBe(true);
        }
      }
    }
  });

  it('bakes in no credentials', () => {
    for (const instruction of [...instructions('ENV'), ...instructions('ARG')]) {
      expect(instruction.content, `line ${instruction.line}`).not.toMatch(/PASS|SECRET|TOKEN|KEY/i);
    }
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, secrets and VCS data out of the build context', () => {
    for (const file of [
      'node_modules/graphql/package.json',
      'subgraphs/recipes/node_modules/x/package.json',
      'subgraphs/recipes/src/generated/prisma/client.ts',
      'gateway/dist/ide/ide.js',
      '.env',
      '.env.local',
      '.git/HEAD',
      'test-results/vitest.json',
    ]) {
      expect(dockerignored(file), file).toBe(true);
    }
  });

  it('keeps in every manifest, the lockfile and the committed generated code', () => {
    const committed = ['package.json', 'package-lock.json', ...globSync('*/*/package.json', { cwd: REPO_ROOT })];
    committed.push(
      ...globSync('*/package.json', { cwd: REPO_ROOT }),
      ...globSync('subgraphs/*/src/generated/*.ts', { cwd: REPO_ROOT }),
    );
    for (const file of committed.filter((candidate) => !candidate.startsWith('node_modules/'))) {
      expect(dockerignored(file), file).toBe(false);
    }
  });
});
