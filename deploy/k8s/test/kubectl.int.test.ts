import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { K8S_DIR, OVERLAYS, renderOverlay } from './manifests.js';

/**
 * Operators apply these with their own kubectl (`kubectl apply -k`), whose kustomize is
 * newer than the pinned one the other checks render with. Where kubectl is installed, both
 * must render the same objects. It is not installed by CI: Debian bookworm's only kubectl
 * (kubernetes-client 1.20) bundles a kustomize too old to read these overlays, so this runs
 * where a machine has a current kubectl, and is skipped elsewhere, CI included.
 */
const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
const available = kubectl.status === 0;

describe.skipIf(!available)('kubectl kustomize', () => {
  it.each(OVERLAYS)('renders overlays/%s into the same objects as the pinned kustomize', (overlay) => {
    const run = spawnSync('kubectl', ['kustomize', path.join(K8S_DIR, 'overlays', overlay)], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const objects = parseAllDocuments(run.stdout).map((document) => document.toJS());
    expect(objects).toEqual(renderOverlay(overlay));
  });
});
