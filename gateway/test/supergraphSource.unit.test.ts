import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '@potluck/service';
import { waitFor } from '@potluck/testing';
import { watchedSupergraph } from '../src/supergraphSource.js';

const SUPERGRAPH = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const silent = createLogger('gateway', 'silent');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function supergraphFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'potluck-supergraph-'));
  dirs.push(dir);
  const file = path.join(dir, 'supergraph.graphql');
  writeFileSync(file, SUPERGRAPH);
  return file;
}

describe('watchedSupergraph', () => {
  it('tries a version a health check refused again, and loads it once the subgraphs answer', async () => {
    const file = supergraphFile();
    const source = watchedSupergraph(file, 10, silent, 100);
    let subgraphsUp = false;
    let checks = 0;
    const updates: string[] = [];
    const { cleanup } = await source.hook({
      update: (sdl: string) => void updates.push(sdl),
      healthCheck: async () => {
        checks += 1;
        if (!subgraphsUp) throw new Error('comments answered 503');
      },
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    try {
      const next = `${SUPERGRAPH}\n# composed again\n`;
      writeFileSync(file, next);
      await waitFor(() => source.lastRefused(), { timeoutMs: 5000, what: 'the refusal' });
      expect(source.lastRefused()?.reason).toBe('comments answered 503');
      expect(updates).toEqual([]);

      subgraphsUp = true;
      await waitFor(() => (updates.length > 0 ? true : undefined), { timeoutMs: 5000, what: 'the retry' });
      expect(updates).toEqual([next]);
      expect(source.current()?.sdl).toBe(next);
      const settled = checks;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(checks, 'a loaded version is not checked again').toBe(settled);
    } finally {
      await cleanup?.();
    }
  });

  it('leaves a version that does not parse alone until the file changes', async () => {
    const file = supergraphFile();
    const source = watchedSupergraph(file, 10, silent, 50);
    let checks = 0;
    const { cleanup } = await source.hook({
      update: () => undefined,
      healthCheck: async () => void (checks += 1),
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    try {
      writeFileSync(file, 'not a supergraph');
      await waitFor(() => source.lastRefused(), { timeoutMs: 5000, what: 'the refusal' });
      const refusedAt = source.lastRefused()!.at;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(source.lastRefused()!.at).toBe(refusedAt);
      expect(checks).toBe(0);
    } finally {
      await cleanup?.();
    }
  });
});
