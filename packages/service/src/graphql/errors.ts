import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { shortened, withShortQuotes } from './echo.js';
import type { Logger } from '../logger.js';
import { currentRequest } from '../http/requestScope.js';

/** The closed set of errors a client may see, each with a stable `extensions.code`. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  readonly details: Record<string, unknown> = {};
}

/** Input that breaks a rule. The message names the field, e.g. "title must be at most 200 characters". */
export class BadUserInputError extends DomainError {
  override name = 'BadUserInputError';
  readonly code = 'BAD_USER_INPUT';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    if (field) this.details.field = field;
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  readonly code = 'NOT_FOUND';
  constructor(entity: string, id: string) {
    super(`${entity} ${shortened(id)} was not found`);
    this.details.id = shortened(id);
  }
}

/**
 * A request refused before it runs because it is too large or too expensive (depth,
 * aliases, cost, page size, body size). The code names the limit, e.g. `QUERY_TOO_DEEP`.
 */
export class RequestRefusedError extends DomainError {
  override name = 'RequestRefusedError';
  constructor(
    readonly code: string,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message);
    Object.assign(this.details, details);
  }
}

/** A change asked for by nobody: every mutation needs a signed-in user. */
export class UnauthenticatedError extends DomainError {
  override name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
  constructor(action: string) {
    super(`Sign in to ${action}: send "Authorization: Bearer <token>"`);
  }
}

/** A signed-in user asking for a change the rules do not give them, e.g. to edit another user's recipe. */
export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  readonly code = 'FORBIDDEN';
}

const INTERNAL_MESSAGE = 'Internal server error';

/** Codes that say "something broke inside": never shown as they are outside development. */
const INTERNAL_CODES = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

/**
 * Extension keys that carry a server's internals: Apollo's stack traces, also inside a
 * subgraph's error, and the `response` Apollo Gateway puts on a subgraph's error status (the
 * subgraph's internal URL and its raw body).
 */
const INTERNAL_EXTENSIONS = new Set(['stacktrace', 'exception', 'response']);

function withoutInternals(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions) return formatted;
  const extensions = Object.entries(formatted.extensions).filter(([key]) => !INTERNAL_EXTENSIONS.has(key));
  return { ...formatted, extensions: Object.fromEntries(extensions) };
}

/** The domain error behind a formatted error: thrown by a resolver, or reported by a validation rule. */
function domainErrorOf(error: unknown): DomainError | undefined {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return original;
  if (original instanceof GraphQLError && original.originalError instanceof DomainError) return original.originalError;
  return undefined;
}

export interface ErrorFormatterOptions {
  /** Development only: internal errors keep their real message and stack trace. */
  exposeInternals: boolean;
}

/**
 * Apollo's `formatError`, the one place errors get their client shape: domain errors keep
 * their message and get their code; errors already coded (validation, parsing, bad
 * variables, a subgraph's own errors at the gateway) pass through, without stack traces
 * outside development; anything else is logged with the request id and becomes
 * INTERNAL_SERVER_ERROR with a generic message and that request id, so nothing leaks.
 * Input a message quotes is cut to a short prefix (see `withShortQuotes`).
 */
export function createErrorFormatter(
  logger: Logger,
  { exposeInternals }: ErrorFormatterOptions = { exposeInternals: false },
) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const domain = domainErrorOf(error);
    if (domain) {
      const message = withShortQuotes(domain.message);
      return { ...formatted, message, extensions: { ...domain.details, code: domain.code } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && !INTERNAL_CODES.has(code)) {
      const shown = { ...formatted, message: withShortQuotes(formatted.message) };
      return exposeInternals ? shown : withoutInternals(shown);
    }
    const requestId = currentRequest()?.requestId;
    logger.error(
      { err: unwrapResolverError(error), path: formatted.path, requestId },
      'unexpected error while resolving',
    );
    return {
      message: exposeInternals ? withShortQuotes(formatted.message) : INTERNAL_MESSAGE,
      ...(formatted.locations && { locations: formatted.locations }),
      ...(formatted.path && { path: formatted.path }),
      extensions: {
        code: 'INTERNAL_SERVER_ERROR',
        ...(requestId && { requestId }),
        ...(exposeInternals && formatted.extensions?.stacktrace ? { stacktrace: formatted.extensions.stacktrace } : {}),
      },
    };
  };
}
