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
 * The `gateway.config.ts` Hive Gateway's CLI finds in its working directory: the plugin above
 * (imported by its path, which Hive's own TypeScript loader reads), signing with the secret the
 * process is given in INTERNAL_AUTH_SECRET.
 */
export function hiveGatewayConfigSource(): string {
  const plugin = new URL('./hiveGatewayCredential.ts', import.meta.url).href;
  return [
    '// Written by the gateway benchmark (bench/src/gateways/peers/hiveGatewayCredential.ts) for one run.',
    `import { useGatewayCredential } from ${JSON.stringify(plugin)};`,
    '',
    'const secret = process.env.INTERNAL_AUTH_SECRET;',
    "if (!secret) throw new Error('INTERNAL_AUTH_SECRET is required');",
    'export const gatewayConfig = { plugins: () => [useGatewayCredential(secret)] };',
    '',
  ].join('\n');
}
