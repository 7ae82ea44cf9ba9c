import { DEMO_USERS } from '@potluck/identity';
import { devTokenSigner } from './devTokens.js';
import { gatewayClient } from './gatewayClient.js';
import type { SeedConfig } from './seedConfig.js';
import type { SeedUser } from './seedData.js';
import type { SeedGateway } from './seedRecipes.js';

/**
 * Who the seed is at the gateway: with SEED_TOKEN, that token's user for every request; else
 * each demo user with a token signed by the development key, and anonymous for reads.
 */
export async function seedGatewayOf(config: SeedConfig): Promise<SeedGateway> {
  const client = (token?: string) => gatewayClient(config.GATEWAY_URL, { token });
  if (config.SEED_TOKEN) {
    const signedIn = client(config.SEED_TOKEN);
    return { read: signedIn, as: () => signedIn };
  }
  const sign = devTokenSigner(config);
  const users = new Map<SeedUser, ReturnType<typeof client>>();
  for (const { user, name, roles } of DEMO_USERS) users.set(user, client(await sign({ user, name, roles })));
  return { read: client(), as: (user) => users.get(user)! };
}
