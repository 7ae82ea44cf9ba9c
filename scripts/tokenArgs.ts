import { parseArgs } from 'node:util';
import { MODERATOR, USER_ID_MAX_LENGTH, USER_NAME_MAX_LENGTH, type Role } from '@potluck/identity';

export const TOKEN_SYNOPSIS = `Usage: npm run -s token -- --user <id> [--role ${MODERATOR}] [--name "Display Name"] [--ttl <seconds>]`;

export const TOKEN_USAGE = `${TOKEN_SYNOPSIS}

Prints a bearer token for <id>, signed with the development key (AUTH_DEV_FILE, default
.potluck/dev-auth.json), that the gateway \`npm start\` runs in this environment accepts.

  --user <id>       the user id (the token's subject), e.g. ana
  --role <role>     a role to grant (repeatable); the only one is "${MODERATOR}"
  --name <name>     the display name (default: the user id)
  --ttl <seconds>   how long it is valid (default 43200, 12 hours; at most 2592000, 30 days)
  --help            this text

Example: curl -s http://localhost:4000/graphql -H "Authorization: Bearer $(npm run -s token -- --user ana)" \\
           -H 'content-type: application/json' -d '{"query":"{ viewer { id name } }"}'`;

const MAX_TTL_SECONDS = 30 * 24 * 3600;
const ROLES: readonly string[] = [MODERATOR];

export class UsageError extends Error {
  override name = 'UsageError';
}

export type TokenArgs =
  { help: true } | { help: false; user: string; roles: Role[]; name?: string; lifetimeSeconds?: number };

function ttlOf(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value) || seconds < 1 || seconds > MAX_TTL_SECONDS) {
    throw new UsageError(`--ttl must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS} (got "${value}")`);
  }
  return seconds;
}

function roleOf(value: string): Role {
  if (!ROLES.includes(value)) throw new UsageError(`unknown role "${value}" (known: ${ROLES.join(', ')})`);
  return value as Role;
}

/** `npm run token`'s arguments; anything it does not know (an option, a role, a positional) is refused. */
export function parseTokenArgs(argv: string[]): TokenArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        user: { type: 'string' },
        role: { type: 'string', multiple: true },
        name: { type: 'string' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { help: true };
  const user = values.user;
  if (!user) throw new UsageError('--user <id> is required');
  if (user.length > USER_ID_MAX_LENGTH) throw new UsageError(`--user is longer than ${USER_ID_MAX_LENGTH} characters`);
  if (values.name !== undefined && (values.name.trim() === '' || values.name.length > USER_NAME_MAX_LENGTH)) {
    throw new UsageError(`--name must be 1 to ${USER_NAME_MAX_LENGTH} characters`);
  }
  return {
    help: false,
    user,
    roles: [...new Set((values.role ?? []).map(roleOf))],
    ...(values.name !== undefined && { name: values.name }),
    ...(values.ttl !== undefined && { lifetimeSeconds: ttlOf(values.ttl) }),
  };
}
