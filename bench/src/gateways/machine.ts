import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../../scripts/stack.js';

/** What the numbers were measured on. */
export function machineFacts() {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${process.arch}`,
    node: process.version,
  };
}

const PACKAGES = [
  '@apollo/gateway',
  '@apollo/server',
  '@graphql-hive/gateway',
  '@graphql-hive/router-runtime',
  '@graphql-hive/router-query-planner',
  'autocannon',
  'undici',
];

/** The installed versions of the gateways and load generators compared. */
export function packageVersions(): Record<string, string> {
  return Object.fromEntries(
    PACKAGES.map((name) => {
      const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      };
      return [name, manifest.version];
    }),
  );
}
