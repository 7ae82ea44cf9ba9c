import { z } from 'zod';
import { AMQP_PREFIX_PATTERN, AMQP_PREFIX_RULE } from '@potluck/messaging';
import { displayValue } from './secretValues.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Parses environment variables against a zod object schema and returns a frozen, typed
 * config. Every bad variable is reported at once, each by name, so an operator fixes
 * them in one go, with the value it got, except secrets: URL passwords and variables named
 * as secrets show as `***`. `process.env` is passed in by the composition root, never read here.
 */
export function parseEnv<Schema extends z.ZodObject>(schema: Schema, env: Env): Readonly<z.infer<Schema>> {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        return issue.code === 'invalid_type' && present[variable] === undefined
          ? `${variable} is required`
          : `${variable}: ${issue.message} (got "${displayValue(variable, present[variable])}")`;
      }),
    );
  }
  // Every variable the schema reads is a key, undefined when unset and optional: the config lists what it reads.
  const unset = Object.fromEntries(Object.keys(schema.shape).map((name) => [name, undefined]));
  return Object.freeze({ ...unset, ...result.data });
}

/** Reusable variable parsers with messages that say what a valid value looks like. */
/** The longest delay Node's timers keep: 2^31 - 1 ms, about 24.8 days. */
export const LONGEST_TIMER_MS = 2_147_483_647;

function timerMilliseconds() {
  return z.coerce
    .number()
    .int('must be a whole number')
    .max(LONGEST_TIMER_MS, `must be at most ${LONGEST_TIMER_MS} (about 24.8 days), the longest timer Node keeps`);
}

export const envVar = {
  port: (fallback: number) => z.coerce.number().int('must be a whole number').min(1).max(65535).default(fallback),
  url: (protocols: string[]) =>
    z.string().refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      `must be a URL starting with ${protocols.map((protocol) => `${protocol}://`).join(' or ')}`,
    ),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1'),
  /**
   * A duration, at most Node's longest timer (a longer one would fire after 1 ms); `min` (with
   * the reason a shorter one fails) for those that cannot work below it.
   */
  milliseconds: (fallback: number, min?: { ms: number; reason: string }) =>
    timerMilliseconds()
      .min(min?.ms ?? 1, min && `must be at least ${min.ms}, ${min.reason}`)
      .default(fallback),
  /** A duration with no default of its own, e.g. one that falls back to another variable. */
  optionalMilliseconds: () => timerMilliseconds().min(1).optional(),
  /** How long something is kept (never a timer, so not bounded by Node's). */
  retentionMilliseconds: (fallback: number) => z.coerce.number().int('must be a whole number').min(1).default(fallback),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  mode: () => z.enum(['development', 'production']).default('development'),
  /** A comma-separated list, items trimmed, empty items dropped: `a, b,,c` is `['a', 'b', 'c']`. */
  list: () =>
    z.string().transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  /** The broker name prefix, by messaging's own rule (`brokerNames` would refuse anything else). */
  amqpPrefix: () => z.string().regex(AMQP_PREFIX_PATTERN, AMQP_PREFIX_RULE).default('potluck'),
};
