import path from 'node:path';
import { createWorkspace, type BenchWorkspace } from './gateways/benchStack.js';
import { machineFacts } from './gateways/machine.js';
import { seedDatabases } from './gateways/seed.js';
import { loadReplicaBenchConfig, type ReplicaBenchConfig } from './replicas/config.js';
import { measureEventReplicas } from './replicas/eventReplicas.js';
import { stopEveryFleet } from './replicas/fleet.js';
import { measureGatewayReplicas } from './replicas/gatewayReplicas.js';
import { loadAverage } from './replicas/machineCpu.js';
import { toMarkdown, type ReplicaBenchResult } from './replicas/report.js';
import { writeResult } from './results.js';

/**
 * `npm run bench:replicas`: what a second process of a service buys on this machine. Relay
 * and consumer events/s with one and two of each, and gateway requests/s behind one and two
 * gateways, each part over throwaway databases of its own. Markdown on stdout, JSON in
 * bench/results (or BENCH_RESULTS_DIR).
 */
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const workspaces = new Set<BenchWorkspace>();
let interruption: Promise<void> | undefined;

/** Ctrl-C or a SIGTERM mid-run: the services stop and the throwaway databases and broker names go, as after a finished run. */
async function interrupted(signal: string): Promise<void> {
  log(`${signal}: stopping the services and removing the run's databases`);
  await stopEveryFleet();
  await Promise.all([...workspaces].map((workspace) => workspace.cleanUp()));
  process.exit(130);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, (name) => (interruption ??= interrupted(name)));

async function inWorkspace<T>(config: ReplicaBenchConfig, work: (workspace: BenchWorkspace) => Promise<T>): Promise<T> {
  const workspace = await createWorkspace(config);
  workspaces.add(workspace);
  log(
    `databases ${Object.values(workspace.databases)
      .map((url) => new URL(url).pathname.slice(1))
      .join(', ')}, broker prefix ${workspace.amqpPrefix}`,
  );
  try {
    return await work(workspace);
  } finally {
    workspaces.delete(workspace);
    await workspace.cleanUp();
  }
}

try {
  const config = loadReplicaBenchConfig(process.env);
  const loads: Record<string, number[]> = { start: loadAverage() };
  let events: ReplicaBenchResult['events'] = null;
  let gateways: ReplicaBenchResult['gateways'] = null;
  if (config.BENCH_PARTS.includes('events')) {
    events = await inWorkspace(config, (workspace) => measureEventReplicas(workspace, config, log));
    loads.afterEvents = loadAverage();
  }
  if (config.BENCH_PARTS.includes('gateways')) {
    gateways = await inWorkspace(config, async (workspace) => {
      await seedDatabases(workspace.databases);
      return measureGatewayReplicas(workspace, config, log);
    });
    loads.afterGateways = loadAverage();
  }
  const settings = {
    rounds: config.BENCH_ROUNDS,
    backlog: config.BENCH_BACKLOG,
    gatewaySecondsPerShape: config.BENCH_SECONDS,
    warmupSeconds: config.BENCH_WARMUP_SECONDS,
    connections: config.BENCH_CONNECTIONS,
    logLevel: config.BENCH_LOG_LEVEL,
  };
  const result: ReplicaBenchResult = {
    benchmark: 'replicas',
    date: new Date().toISOString(),
    machine: machineFacts(),
    loadAverage: loads,
    settings,
    events,
    gateways,
  };
  console.log(toMarkdown(result));
  const file = await writeResult('replicas', result, config.BENCH_RESULTS_DIR);
  log(`wrote ${path.relative(process.cwd(), file)}`);
} catch (error) {
  // Interrupted: the measurement failed because its processes were stopped; let the clean-up finish.
  if (interruption) await interruption;
  console.error(error);
  process.exit(1);
}
