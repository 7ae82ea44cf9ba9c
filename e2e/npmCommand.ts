import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { testAmqpUrl } from '@potluck/testing';
import { REPO_ROOT } from '../scripts/stack.js';
import type { TestStack } from './stack.js';

const run = promisify(execFile);

export interface CommandResult {
  stdout: string;
  /** The lines the command itself printed (npm's own banner lines left out). */
  lines: string[];
}

/**
 * Runs `npm run <script> -w @potluck/<service> [-- args]` as an operator would, against
 * the stack's database and broker prefix; fails with the output when it exits non-zero.
 */
export async function runNpmCommand(
  stack: TestStack,
  service: 'recipes' | 'comments',
  script: string,
  args: string[] = [],
): Promise<CommandResult> {
  const argv = ['run', script, '-w', `@potluck/${service}`, ...(args.length > 0 ? ['--', ...args] : [])];
  const env = {
    ...process.env,
    DATABASE_URL: stack.databaseUrls[service],
    AMQP_URL: testAmqpUrl(),
    AMQP_PREFIX: stack.amqpPrefix,
  };
  try {
    const { stdout } = await run('npm', argv, { cwd: REPO_ROOT, env, timeout: 60_000 });
    return { stdout, lines: stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('> ')) };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm ${argv.join(' ')} failed: ${(error as Error).message}\n${stdout}\n${stderr}`, {
      cause: error,
    });
  }
}

/** Runs `npm <args>` to its end with these extra variables, whatever its exit code: the code and all it printed. */
export function runNpmToEnd(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn('npm', args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
}
