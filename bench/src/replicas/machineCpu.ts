import { readFileSync } from 'node:fs';
import os from 'node:os';

interface CpuTimes {
  busy: number;
  total: number;
}

/** The machine's CPU time so far from /proc/stat (all cores, all processes: ours and anyone else's). */
function cpuTimes(): CpuTimes | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * Watches how busy the whole machine is until stopped: the share of all cores' time that was
 * not idle, 0–100 % (null without /proc). Near 100 % means a second process had no spare core.
 */
export function watchMachineCpu(): { stop(): number | null } {
  const start = cpuTimes();
  return {
    stop() {
      const end = cpuTimes();
      if (!start || !end || end.total === start.total) return null;
      return Math.round(((end.busy - start.busy) / (end.total - start.total)) * 1000) / 10;
    },
  };
}

export const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);
