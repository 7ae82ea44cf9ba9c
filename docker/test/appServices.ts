import { loadConfig as loadGatewayConfig } from '../../gateway/src/config.js';
import { loadSeedConfig } from '../../scripts/seedConfig.js';
import { loadConfig as loadCommentsConfig } from '../../subgraphs/comments/src/config.js';
import { loadConfig as loadRecipesConfig } from '../../subgraphs/recipes/src/config.js';
import { runtimeImage } from './runtimeImage.js';
import {
  DOCKERFILE,
  dockerfileStages,
  environmentOf,
  isDirectoryInRepo,
  type ComposeFile,
  type ComposeService,
} from './stackFiles.js';

/**
 * The compose services that run Potluck's own image, and the configuration each process
 * parses from the environment compose gives it: what the compose and observability checks
 * hold the compose file to.
 */

/**
 * Each entry point the image runs, and the `loadConfig` that process calls at start. A
 * service's environment in docker-compose.yml must parse with it: when a process starts
 * requiring a new variable, the checks fail until the compose file sets it.
 */
const CONFIG_OF_ENTRY: Record<string, (env: Record<string, string | undefined>) => object> = {
  'subgraphs/recipes/src/main.ts': loadRecipesConfig,
  'subgraphs/comments/src/main.ts': loadCommentsConfig,
  'gateway/src/main.ts': loadGatewayConfig,
  'scripts/seed.ts': loadSeedConfig,
};

const image = runtimeImage(dockerfileStages(), isDirectoryInRepo);

export const isApp = (service: ComposeService) => service.build?.dockerfile === DOCKERFILE;
export const isJob = (service: ComposeService) => service.restart === 'no';

/** `node [--import x] <entry>`: the entry point of an app service's command. */
export function entryOf(command: string[] | undefined): string {
  if (command?.[0] !== 'node') throw new Error(`an app service runs node in exec form, not ${String(command)}`);
  const args = command.slice(1);
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--import') index += 1;
    else if (!args[index]!.startsWith('-')) return args[index]!;
  }
  throw new Error(`no entry file in ${command.join(' ')}`);
}

/** The configuration an app service's process would start with: its `loadConfig` over the image's and the service's environment. */
export function configOf(name: string, service: ComposeService): Record<string, unknown> {
  const load = CONFIG_OF_ENTRY[entryOf(service.command)];
  if (!load) throw new Error(`${name}: no loadConfig known for ${entryOf(service.command)}; add it to CONFIG_OF_ENTRY`);
  return load({ ...image.env, ...environmentOf(service) }) as Record<string, unknown>;
}

/** The long-running app services (not jobs such as the seed), by name. */
export function appServers(compose: ComposeFile): Array<[string, ComposeService]> {
  return Object.entries(compose.services).filter(([, service]) => isApp(service) && !isJob(service));
}

/** The port an app service serves `/metrics` on (METRICS_PORT, else its own), or undefined when metrics are off. */
export function metricsPortOf(name: string, service: ComposeService): number | undefined {
  const config = configOf(name, service);
  if (config.METRICS_ENABLED === false) return undefined;
  return Number(config.METRICS_PORT ?? config.PORT);
}
