import { cpuMs, rssMiB } from './processes.js';

export interface ProcessUsage {
  /** Peak resident set size while sampled, MiB. */
  rssMiB: Record<string, number>;
  /** CPU time used while sampled, ms (10 ms resolution). */
  cpuMs: Record<string, number>;
}

/**
 * Watches named processes until stopped: the peak RSS of each (sampled every `intervalMs`)
 * and the CPU time each used meanwhile, which unlike latency hardly depends on what else
 * the machine is running. Each service counts with its children (a gateway's workers);
 * the processes in `alone` (the benchmark itself, whose children are the services) without.
 */
export function sampleProcesses(
  pids: Record<string, number | undefined>,
  { alone = [] as string[], intervalMs = 250 } = {},
): { stop(): ProcessUsage } {
  const rss: Record<string, number> = {};
  const tree = (name: string) => !alone.includes(name);
  const cpuAtStart = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid, tree(name))]));
  const take = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const value = rssMiB(pid, tree(name));
      if (value !== null) rss[name] = Math.max(rss[name] ?? 0, value);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const cpu: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const [start, end] = [cpuAtStart[name], cpuMs(pid, tree(name))];
        if (start != null && end != null) cpu[name] = end - start;
      }
      return { rssMiB: rss, cpuMs: cpu };
    },
  };
}
