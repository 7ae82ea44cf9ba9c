import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { z } from 'zod';
import { MIN_SECRET_LENGTH } from '@potluck/identity';
import { envVar, parseEnv } from '@potluck/service';
import { anonymousCredential, GATEWAY_CREDENTIAL_HEADER } from './gatewayCredentials.js';

/**
 * Stock Apollo Gateway, the peer to beat: `ApolloGateway` given nothing but the supergraph,
 * on Apollo Server's standalone HTTP server, every other option (signals included) at its default
 * except usage telemetry: a benchmark sends traffic nowhere but this machine. Potluck's subgraphs
 * answer only a gateway, so each subgraph call carries the gateway credential, signed as a user of
 * Apollo Gateway would: in `willSendRequest` of its stock `RemoteGraphQLDataSource`.
 */
process.env.APOLLO_TELEMETRY_DISABLED = 'true';
// tsx, which runs this file, turns on source maps for stack traces; Apollo Gateway's users run
// its JavaScript without. With them on, agent-base (under make-fetch-happen) paid a source-map
// lookup for the `new Error().stack` it reads on every subgraph call: ~6 % of this process's CPU.
process.setSourceMapsEnabled(false);
const config = parseEnv(
  z.object({
    SUPERGRAPH_PATH: z.string(),
    PORT: envVar.port(4000),
    HOST: z.string().default('127.0.0.1'),
    INTERNAL_AUTH_SECRET: z.string().min(MIN_SECRET_LENGTH),
  }),
  process.env,
);
const credential = anonymousCredential(config.INTERNAL_AUTH_SECRET);
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
  buildService: ({ name, url }) =>
    new RemoteGraphQLDataSource({
      url,
      async willSendRequest({ request }) {
        request.http?.headers.set(GATEWAY_CREDENTIAL_HEADER, await credential(name));
      },
    }),
});
const { url } = await startStandaloneServer(new ApolloServer({ gateway }), {
  listen: { port: config.PORT, host: config.HOST },
});
console.log(`stock Apollo Gateway at ${url}`);
