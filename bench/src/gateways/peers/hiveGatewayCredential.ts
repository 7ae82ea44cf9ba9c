import type { GatewayPlugin } from '@graphql-hive/gateway';
import { anonymousCredential, GATEWAY_CREDENTIAL_HEADER } from './gatewayCredentials.js';

/**
 * A Hive Gateway plugin that puts the gateway credential on every subgraph fetch, as a user of
 * Hive Gateway would: in `onFetch`, for the subgraph the execution request is planned for.
 * A fetch for no known subgraph goes out unsigned, and the subgraph refuses it (401).
 */
export function useGatewayCredential(secret: string): GatewayPlugin {
  const credential = anonymousCredential(secret);
  return {
    async onFetch({ executionRequest, options, setOptions }) {
      const subgraph = executionRequest?.subgraphName;
      if (!subgraph) return;
      setOptions({
        ...options,
        headers: { ...options.headers, [GATEWAY_CREDENTIAL_HEADER]: await credential(subgraph) },
      });
    },
  };
}

/**
 * A Hive Gateway config file for one run: the plugin above (imported by its path, which Hive's
 * own TypeScript loader reads), signing with the secret the process is given in
 * INTERNAL_AUTH_SECRET. With `routerRuntime`, it also sets `unifiedGraphHandler` from
 * `@graphql-hive/router-runtime` (the Rust query planner and its executor), as Hive's docs show;
 * imported in the file rather than asked for with `--hive-router-runtime`, whose CLI falls back to
 * the default runtime with a warning when the package cannot be loaded, so a missing package
 * stops the run instead of measuring the wrong gateway.
 */
export function hiveGatewayConfigSource(options: { routerRuntime: boolean }): string {
  const plugin = new URL('./hiveGatewayCredential.ts', import.meta.url).href;
  const runtime = import.meta.resolve('@graphql-hive/router-runtime');
  return [
    '// Written by the gateway benchmark (bench/src/gateways/peers/hiveGatewayCredential.ts) for one run.',
    `import { useGatewayCredential } from ${JSON.stringify(plugin)};`,
    ...(options.routerRuntime ? [`import { unifiedGraphHandler } from ${JSON.stringify(runtime)};`] : []),
    '',
    'const secret = process.env.INTERNAL_AUTH_SECRET;',
    "if (!secret) throw new Error('INTERNAL_AUTH_SECRET is required');",
    'export const gatewayConfig = {',
    ...(options.routerRuntime ? ['  unifiedGraphHandler,'] : []),
    '  plugins: () => [useGatewayCredential(secret)],',
    '};',
    '',
  ].join('\n');
}
