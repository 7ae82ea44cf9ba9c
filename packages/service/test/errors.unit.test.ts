import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BadUserInputError, createErrorFormatter, RequestRefusedError } from '../src/graphql/errors.js';
import { runInRequestScope } from '../src/http/requestScope.js';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const resolverError = (original: Error) =>
  new GraphQLError(original.message, { path: ['recipe'], originalError: original });

describe('createErrorFormatter', () => {
  it('gives a domain error its code and details', () => {
    const { logger } = capturingLogger();
    const format = createErrorFormatter(logger);
    const error = resolverError(new BadUserInputError('title must be at most 200 characters', 'title'));
    expect(format({ message: error.message, path: ['recipe'] }, error)).toEqual({
      message: 'title must be at most 200 characters',
      path: ['recipe'],
      extensions: { code: 'BAD_USER_INPUT', field: 'title' },
    });
  });

  it('finds a refusal reported by a validation rule behind Apollo’s own wrapper', () => {
    const { logger } = capturingLogger();
    const reported = new GraphQLError('too deep', {
      originalError: new RequestRefusedError('QUERY_TOO_DEEP', 'too deep'),
    });
    const formatted = createErrorFormatter(logger)(
      { message: 'too deep', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      reported,
    );
    expect(formatted.extensions).toEqual({ code: 'QUERY_TOO_DEEP' });
  });

  it('passes errors Apollo already coded', () => {
    const { logger } = capturingLogger();
    const formatted = { message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(createErrorFormatter(logger)(formatted, new GraphQLError(formatted.message))).toEqual(formatted);
  });

  it('drops stack traces from coded errors outside development, also those a subgraph sent', () => {
    const { logger } = capturingLogger();
    const fromSubgraph = {
      message: 'title must be at most 200 characters',
      path: ['createRecipe'],
      extensions: {
        code: 'BAD_USER_INPUT',
        serviceName: 'recipes',
        stacktrace: ['BadUserInputError: at /srv/recipes/rules.ts:9'],
        exception: { stacktrace: ['at /srv/recipes/rules.ts:9'] },
      },
    };
    const error = new GraphQLError(fromSubgraph.message);
    expect(createErrorFormatter(logger)(fromSubgraph, error)).toEqual({
      message: 'title must be at most 200 characters',
      path: ['createRecipe'],
      extensions: { code: 'BAD_USER_INPUT', serviceName: 'recipes' },
    });
    expect(createErrorFormatter(logger, { exposeInternals: true })(fromSubgraph, error)).toEqual(fromSubgraph);
  });

  it('drops the subgraph URL and raw body the gateway keeps on a subgraph error status, outside development', () => {
    const { logger } = capturingLogger();
    const refused = {
      message: '401: Unauthorized',
      extensions: {
        code: 'UNAUTHENTICATED',
        response: { url: 'http://recipes:4001/graphql', status: 401, statusText: 'Unauthorized', body: 'internal' },
      },
    };
    expect(createErrorFormatter(logger)(refused, new GraphQLError(refused.message))).toEqual({
      message: '401: Unauthorized',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });

  it('masks anything else with the request id, and logs it with the details', () => {
    const { logger, lines } = capturingLogger();
    const error = resolverError(new Error('connection string postgres://secret@db'));
    const formatted = runInRequestScope({ requestId: 'req-42' }, () =>
      createErrorFormatter(logger)(
        {
          message: error.message,
          path: ['recipe'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at db.ts:1'] },
        },
        error,
      ),
    );
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['recipe'],
      extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      requestId: 'req-42',
      err: { message: 'connection string postgres://secret@db' },
    });
  });

  it('masks an uncoded error a subgraph returned to the gateway', () => {
    const { logger } = capturingLogger();
    const formatted = createErrorFormatter(logger)(
      { message: 'secret detail', extensions: { code: 'DOWNSTREAM_SERVICE_ERROR', serviceName: 'recipes' } },
      new GraphQLError('secret detail'),
    );
    expect(formatted).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('shows the real message and stack trace only when internals are exposed (development)', () => {
    const { logger } = capturingLogger();
    const error = resolverError(new Error('boom'));
    const formatted = createErrorFormatter(logger, { exposeInternals: true })(
      { message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: boom'] } },
      error,
    );
    expect(formatted).toEqual({
      message: 'boom',
      extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: boom'] },
    });
  });
});
