import { describe, expect, it } from 'vitest';
import { runtimeManifests, type Manifest } from '../runtimeManifests.js';

const root: Manifest = {
  name: 'potluck',
  type: 'module',
  workspaces: ['packages/*', 'subgraphs/recipes', 'gateway'],
  scripts: { test: 'vitest run' },
  dependencies: { '@potluck/db': '0.1.0', tsx: '^4.0.0' },
  devDependencies: { vitest: '^4.0.0' },
};

const workspaces = new Map<string, Manifest>([
  ['packages/db', { name: '@potluck/db', dependencies: { pg: '^8.0.0' } }],
  ['packages/service', { name: '@potluck/service', dependencies: { '@potluck/db': '0.1.0' } }],
  ['packages/testing', { name: '@potluck/testing', dependencies: { vitest: '^4.0.0' } }],
  ['packages/unused', { name: '@potluck/unused' }],
  [
    'subgraphs/recipes',
    {
      name: '@potluck/recipes',
      scripts: { generate: 'prisma generate' },
      dependencies: { '@potluck/service': '0.1.0' },
      devDependencies: { '@potluck/testing': '0.1.0', prisma: '7.0.0' },
    },
  ],
  ['gateway', { name: '@potluck/gateway', dependencies: { '@potluck/service': '0.1.0' } }],
]);

describe('runtimeManifests', () => {
  it('keeps the named workspaces, the root dependencies and every workspace they depend on', () => {
    const runtime = runtimeManifests(root, workspaces, ['@potluck/recipes']);
    expect([...runtime.workspaces.keys()]).toEqual(['packages/db', 'packages/service', 'subgraphs/recipes']);
    expect(runtime.root.workspaces).toEqual(['packages/db', 'packages/service', 'subgraphs/recipes']);
  });

  it('drops devDependencies and scripts everywhere, so test helpers and build tools never install', () => {
    const runtime = runtimeManifests(root, workspaces, ['@potluck/recipes', '@potluck/gateway']);
    expect(runtime.root).toEqual({
      name: 'potluck',
      type: 'module',
      workspaces: ['gateway', 'packages/db', 'packages/service', 'subgraphs/recipes'],
      dependencies: { '@potluck/db': '0.1.0', tsx: '^4.0.0' },
    });
    expect(runtime.workspaces.get('subgraphs/recipes')).toEqual({
      name: '@potluck/recipes',
      dependencies: { '@potluck/service': '0.1.0' },
    });
    expect(runtime.workspaces.has('packages/testing')).toBe(false);
  });

  it('refuses a service that is not a workspace', () => {
    expect(() => runtimeManifests(root, workspaces, ['@potluck/nope'])).toThrow('no workspace named @potluck/nope');
  });
});
