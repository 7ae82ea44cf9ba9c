import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@potluck/service';
import { subgraphsOf } from './supergraph.js';

export interface LoadedSupergraph {
  sdl: string;
  hash: string;
  loadedAt: Date;
}

export interface RefusedSupergraph {
  hash: string;
  at: Date;
  reason: string;
}

export interface SupergraphSource {
  /** For ApolloGateway's `supergraphSdl` option. */
  hook: SupergraphSdlHook;
  current(): LoadedSupergraph | undefined;
  lastRefused(): RefusedSupergraph | undefined;
}

const hashOf = (sdl: string) => createHash('sha256').update(sdl).digest('hex');
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** How long a version refused for a passing reason (a subgraph's failed health check) waits before it is tried again. */
export const REFUSED_RETRY_MS = 30_000;

/**
 * The supergraph file, reloaded when its content changes (polled, which also sees atomic
 * replaces and Kubernetes ConfigMap swaps). A new version must parse, name its subgraphs,
 * pass the gateway's health check of every subgraph and build; otherwise it is refused
 * and logged, and the previous one keeps serving. A version that does not parse waits for
 * the file to change; one refused by a health check or build is tried again every
 * `refusedRetryMs`, so a subgraph that blinked during a rollout does not leave this gateway
 * on the old supergraph while newly started ones load the new.
 */
export function watchedSupergraph(
  file: string,
  pollMs: number,
  logger: Logger,
  refusedRetryMs = REFUSED_RETRY_MS,
): SupergraphSource {
  let current: LoadedSupergraph | undefined;
  let refused: RefusedSupergraph | undefined;
  let lastSeen: string | undefined;
  let retryAt: number | undefined;

  const hook: SupergraphSdlHook = async ({ update, healthCheck }) => {
    const sdl = await readFile(file, 'utf8');
    subgraphsOf(sdl, {});
    current = { sdl, hash: hashOf(sdl), loadedAt: new Date() };
    lastSeen = current.hash;

    const reload = async () => {
      const next = await readFile(file, 'utf8').catch((error: unknown) => `unreadable: ${messageOf(error)}`);
      const hash = hashOf(next);
      const retrying = hash === lastSeen && retryAt !== undefined && Date.now() >= retryAt;
      if (hash === lastSeen && !retrying) return;
      lastSeen = hash;
      retryAt = undefined;
      try {
        subgraphsOf(next, {});
        retryAt = Date.now() + refusedRetryMs;
        await healthCheck(next);
        update(next);
        retryAt = undefined;
        const previous = current?.hash;
        current = { sdl: next, hash, loadedAt: new Date() };
        logger.info({ file, hash, previous }, 'reloaded the supergraph');
      } catch (error) {
        refused = { hash, at: new Date(), reason: messageOf(error) };
        logger.error(
          { file, hash, serving: current?.hash, reason: refused.reason, retryInMs: retryAt && refusedRetryMs },
          'refused the new supergraph; still serving the previous one',
        );
      }
    };
    let running: Promise<void> | undefined;
    const timer = setInterval(() => {
      running ??= reload().finally(() => (running = undefined));
    }, pollMs);
    timer.unref();
    return {
      supergraphSdl: sdl,
      cleanup: async () => {
        clearInterval(timer);
        await running;
      },
    };
  };

  return { hook, current: () => current, lastRefused: () => refused };
}
