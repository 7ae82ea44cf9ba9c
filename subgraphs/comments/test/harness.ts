import { expect } from 'vitest';
import { createLogger, type SubgraphOverrides } from '@potluck/service';
import { startSubgraphForTest, useForTestFile } from '@potluck/testing';
import { startCommentsService } from '../src/app.js';
import { loadConfig } from '../src/config.js';

/** The comments subgraph in-process on a free port, over its own throwaway database. */
export function startCommentsForTest(overrides: SubgraphOverrides = {}) {
  return startSubgraphForTest('comments', (env) =>
    startCommentsService(loadConfig(env), { logger: createLogger('comments', 'silent'), ...overrides }),
  );
}

/** The comments subgraph for the calling test file: started before its tests, stopped after them. */
export function useCommentsForTest(overrides: SubgraphOverrides = {}) {
  return useForTestFile(() => startCommentsForTest(overrides));
}

/**
 * What the payload of a comment's outbox row must equal: the row's own id as the event id,
 * schema version 1, the comment as aggregate, the user as actor, and a generated correlation
 * id (the tests send no request id).
 */
export function expectedEnvelope(
  row: { id: string } | undefined,
  event: { type: string; at: string; version: number; by: { id: string; name: string } },
  data: { id: string } & Record<string, unknown>,
) {
  return {
    id: row?.id,
    type: event.type,
    schemaVersion: 1,
    occurredAt: event.at,
    aggregateId: data.id,
    aggregateVersion: event.version,
    correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    actor: { id: event.by.id, name: event.by.name },
    data,
  };
}
