import { expect } from 'vitest';
import { createLogger, type SubgraphOverrides } from '@potluck/service';
import { startSubgraphForTest } from '@potluck/testing';
import { startCommentsService } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The comments subgraph in-process on a free port, over its own throwaway database. */
export function startCommentsForTest(overrides: SubgraphOverrides = {}) {
  return startSubgraphForTest('comments', (env) =>
    startCommentsService(loadConfig(env), { logger: createLogger('comments', 'silent'), ...overrides }),
  );
}

/**
 * What the payload of an outbox row must equal: the row's own id as the event id, schema
 * version 1, and a generated correlation id (the tests send no request id), plus `fields`.
 */
export function expectedEnvelope(row: { id: string } | undefined, fields: Record<string, unknown>) {
  return {
    id: row?.id,
    schemaVersion: 1,
    correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    ...fields,
  };
}
