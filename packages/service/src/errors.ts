import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import type { Logger } from './logger.js';

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
    super(`${entity} ${id} was not found`);
    this.details.id = id;
  }
}

const INTERNAL_MESSAGE = 'Internal server error';

/**
 * Apollo's `formatError`: domain errors keep their message and get their code; errors
 * Apollo already coded (validation, parsing, bad variables) pass through; anything else
 * is logged and masked as INTERNAL_SERVER_ERROR so no internals leak.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        ...formatted,
        message: original.message,
        extensions: { ...original.details, code: original.code },
      };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    logger.error({ err: original, path: formatted.path }, 'unexpected error while resolving');
    return {
      message: INTERNAL_MESSAGE,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
