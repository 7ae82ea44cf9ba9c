import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { z } from 'zod';
import { envVar, parseEnv } from '@potluck/service';

/**
 * Stock Apollo Gateway, the peer to beat: `ApolloGateway` given nothing but the supergraph,
 * on Apollo Server's standalone HTTP server, every other option (signals included) at its default
 * except usage telemetry: a benchmark sends traffic nowhere but this machine.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
const config = parseEnv(
  z.object({ SUPERGRAPH_PATH: z.string(), PORT: envVar.port(4000), HOST: z.string().default('127.0.0.1') }),
  process.env,
);
const gateway = new ApolloGateway({ supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8') });
const { url } = await startStandaloneServer(new ApolloServer({ gateway }), {
  listen: { port: config.PORT, host: config.HOST },
});
console.log(`stock Apollo Gateway at ${url}`);
