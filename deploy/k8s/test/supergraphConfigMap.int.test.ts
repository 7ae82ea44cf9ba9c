import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@potluck/service';
import { waitFor } from '@potluck/testing';
import { watchedSupergraph } from '../../../gateway/src/supergraphSource.js';
import { REPO_ROOT } from './manifests.js';

/**
 * The gateway's supergraph watcher on a ConfigMap volume as the kubelet writes one: each key
 * is a symlink through `..data`, itself a symlink to a timestamped folder, and an update
 * writes a new folder and renames a new `..data` over the old one. The file's own path never
 * changes, its inode does: the watcher must see the new content all the same.
 */
const volume = mkdtempSync(path.join(tmpdir(), 'potluck-configmap-'));
afterAll(() => rmSync(volume, { recursive: true, force: true }));

let generation = 0;

/** One kubelet update of the volume: a new timestamped folder, `..data` swapped atomically, the old folder removed. */
function writeConfigMap(files: Record<string, string>): void {
  const folder = `..2026_12_02_04_00_0${(generation += 1)}.${generation}`;
  mkdirSync(path.join(volume, folder));
  for (const [key, content] of Object.entries(files)) writeFileSync(path.join(volume, folder, key), content);
  const previous = generation > 1 ? `..2026_12_02_04_00_0${generation - 1}.${generation - 1}` : undefined;
  symlinkSync(folder, path.join(volume, '..data_tmp'));
  renameSync(path.join(volume, '..data_tmp'), path.join(volume, '..data'));
  if (previous) rmSync(path.join(volume, previous), { recursive: true });
  for (const key of Object.keys(files)) {
    try {
      symlinkSync(path.join('..data', key), path.join(volume, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

describe('the gateway reading the supergraph ConfigMap (deploy/k8s/base)', () => {
  it('reloads a new supergraph the kubelet swaps in, without a restart', async () => {
    const supergraph = readFileSync(path.join(REPO_ROOT, 'schema/supergraph.graphql'), 'utf8');
    writeConfigMap({ 'supergraph.graphql': supergraph });
    const source = watchedSupergraph(path.join(volume, 'supergraph.graphql'), 20, createLogger('gateway', 'silent'));
    const updates: string[] = [];
    const { supergraphSdl, cleanup } = await source.hook({
      update: (sdl: string) => void updates.push(sdl),
      healthCheck: async () => undefined,
      getDataSource: () => {
        throw new Error('not used');
      },
    });
    try {
      expect(supergraphSdl).toBe(supergraph);
      const next = `${supergraph}\n# composed again\n`;
      writeConfigMap({ 'supergraph.graphql': next });
      await waitFor(() => (updates.length > 0 ? true : undefined), { timeoutMs: 5000, what: 'the reload' });
      expect(updates).toEqual([next]);
      expect(source.current()?.sdl).toBe(next);
    } finally {
      await cleanup?.();
    }
  });
});
