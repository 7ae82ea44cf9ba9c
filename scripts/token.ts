import { parseEnv } from '@potluck/service';
import { devTokenEnvSchema, devTokenSigner } from './devTokens.js';
import { parseTokenArgs, TOKEN_SYNOPSIS, TOKEN_USAGE, UsageError } from './tokenArgs.js';

/**
 * `npm run -s token -- --user ana [--role moderator]`: one development bearer token on stdout
 * and nothing else, so `$(npm run -s token -- --user ana)` can go straight into a header.
 * Errors go to stderr with exit code 2.
 */
try {
  const args = parseTokenArgs(process.argv.slice(2));
  if (args.help) {
    console.log(TOKEN_USAGE);
  } else {
    const sign = devTokenSigner(parseEnv(devTokenEnvSchema, process.env));
    const { user, roles, name, lifetimeSeconds } = args;
    process.stdout.write(`${await sign({ user, roles, name, lifetimeSeconds })}\n`);
  }
} catch (error) {
  console.error(`npm run token: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof UsageError) console.error(`${TOKEN_SYNOPSIS} (--help says more)`);
  process.exit(2);
}
