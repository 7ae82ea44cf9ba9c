import type { DriverTimeline } from './mutationDriver.js';

interface Window {
  kind: 'cut' | 'restart';
  target: string;
  from: number;
  to: number;
}

/** After a restart the gateway may still hold a dead keep-alive socket for a moment. */
const RESTART_GRACE_MS = 2000;

/** When each fault was in force during a run: lets the mutation driver tell expected failures from bugs. */
export class FaultTimeline implements DriverTimeline {
  private readonly windows: Window[] = [];

  /** Runs `during` as a fault of `kind` on `target`, recording when it began and ended. */
  async record<T>(kind: Window['kind'], target: string, during: () => Promise<T>): Promise<T> {
    const window: Window = { kind, target, from: Date.now(), to: Number.POSITIVE_INFINITY };
    this.windows.push(window);
    try {
      return await during();
    } finally {
      window.to = Date.now();
    }
  }

  restartOverlaps(from: number, to: number): boolean {
    return this.windows.some(
      (window) => window.kind === 'restart' && window.from <= to && from <= window.to + RESTART_GRACE_MS,
    );
  }

  cutCovers(from: number, to: number): boolean {
    return this.windows.some((window) => window.kind === 'cut' && window.from <= from && to <= window.to);
  }

  count(kind: Window['kind']): number {
    return this.windows.filter((window) => window.kind === kind).length;
  }

  /** One line per fault, times relative to `start`. */
  describe(start: number): string {
    return this.windows
      .map((window) => `${window.kind} ${window.target} ${window.from - start}..${window.to - start} ms`)
      .join(', ');
  }
}
