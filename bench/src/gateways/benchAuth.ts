import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createGatewayCredentialSigner, devAuth, signDevToken, type User, type Viewer } from '@potluck/identity';

/** Who the benchmark signs in as where a request needs a user (the writes). */
export const BENCH_USER: User = { id: 'bench', name: 'Bench', roles: [] };

/** One run's identity: its own secret and keys, so a benchmark never reads or writes the checkout's. */
export interface BenchAuth {
  /** For every service of the run: a fresh gateway↔subgraph secret, and development keys in the scratch folder. */
  env: { INTERNAL_AUTH_SECRET: string; AUTH_DEV_FILE: string };
  /**
   * A gateway credential for a call straight to a subgraph (the floor, the events benchmark),
   * signed and cached as Potluck's gateway does it; anonymous unless a viewer is given.
   */
  credential(subgraph: string, viewer?: Viewer): Promise<string>;
  /** `Bearer …` for `BENCH_USER`: a token the run's gateway accepts. */
  authorization(): Promise<string>;
}

/** A random secret, and development keys created in `dir` (the run's scratch folder). */
export function createBenchAuth(dir: string): BenchAuth {
  const secret = randomBytes(32).toString('base64url');
  const file = path.join(dir, 'dev-auth.json');
  const dev = devAuth(file);
  const signer = createGatewayCredentialSigner(secret);
  return {
    env: { INTERNAL_AUTH_SECRET: secret, AUTH_DEV_FILE: file },
    credential: (subgraph, viewer = null) => signer.credentialFor(subgraph, viewer),
    authorization: async () => `Bearer ${await signDevToken(dev, { user: BENCH_USER.id, name: BENCH_USER.name })}`,
  };
}
