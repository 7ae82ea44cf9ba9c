import { nodeArgsOf, waitForReady, type ServiceName } from '../../../scripts/stack.js';
import type { BenchWorkspace } from '../gateways/benchStack.js';
import { startProcess, stopProcess, tailOf, type BenchProcess } from '../gateways/processes.js';

/** How to start one process of the fleet: which service, with which variables, where it answers. */
export interface ProcessSpec {
  service: ServiceName;
  env: Record<string, string>;
  /** Its `/health/ready`, awaited until it reports `ready`. */
  readyUrl: string;
}

const fleets = new Set<Fleet>();

/** Stops every process of every fleet: what an interrupted run does before it exits. */
export async function stopEveryFleet(): Promise<void> {
  await Promise.all([...fleets].map((fleet) => fleet.stopAll()));
}

/**
 * The processes of one benchmark run by label (`recipes-1`, `gateway-2`, …), started and
 * stopped one by one so a measurement runs with exactly the replicas it names. Output goes to
 * `<label>.log` in the run's scratch folder.
 */
export class Fleet {
  private readonly running = new Map<string, BenchProcess>();

  constructor(
    private readonly workspace: BenchWorkspace,
    private readonly specs: Record<string, ProcessSpec>,
  ) {
    fleets.add(this);
  }

  /** Exactly these labels running (others stopped), each ready. */
  async exactly(labels: string[]): Promise<void> {
    for (const label of [...this.running.keys()]) if (!labels.includes(label)) await this.stop(label);
    const started = labels.filter((label) => !this.running.has(label)).map((label) => this.start(label));
    await Promise.all(started);
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.running].map(([label, running]) => [label, running.child.pid]));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((label) => this.stop(label)));
    fleets.delete(this);
  }

  private async start(label: string): Promise<void> {
    const spec = this.specs[label];
    if (!spec) throw new Error(`no process ${label} in this fleet`);
    const running = startProcess(label, nodeArgsOf(spec.service), spec.env, { logDir: this.workspace.dir });
    this.running.set(label, running);
    try {
      await waitForReady(spec.readyUrl, 60_000);
    } catch (error) {
      throw new Error(`${label} did not become ready: ${(error as Error).message}\n${tailOf(running)}`, {
        cause: error,
      });
    }
  }

  private async stop(label: string): Promise<void> {
    const running = this.running.get(label);
    this.running.delete(label);
    if (running) await stopProcess(running);
  }
}
