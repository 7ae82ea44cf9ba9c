import type { CacheBenchResult } from './entityCache.js';

/** The run as the Markdown that bench/README.md and docs/caching.md quote. */
export function toMarkdown(result: CacheBenchResult): string {
  const { off, on } = result.pages;
  const row = (name: string, mode: typeof off) =>
    `| ${name} | ${mode.rps} | ${mode.p50} | ${mode.p99} | ${mode.cpuPerPageMs.recipes} | ${mode.cpuPerPageMs.comments} | ${mode.cpuPerPageMs.gateway} | ${mode.hitRatio ?? '–'} | ${mode.peakRssMiB} | ${mode.machineBusyPercent ?? '–'} |`;
  const { staleness } = result;
  return [
    `Entity cache, ${result.date} (${result.machine.cores} cores, ${result.machine.cpu}; load average ${result.loadAverage.start?.join(' / ')} at the start)`,
    '',
    `Distinct pages of 20 recipes with five comments each, ${result.settings.BENCH_CONNECTIONS} connections, ${result.settings.BENCH_SECONDS} s per round, lower median of ${result.settings.BENCH_ROUNDS} rounds:`,
    '',
    '| cache | requests/s | p50 ms | p99 ms | recipes CPU ms/page | comments CPU ms/page | gateway CPU ms/page | hit ratio | gateway RSS MiB | machine busy % |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row('off', off),
    row('on', on),
    '',
    `On/off: ${(on.rps / off.rps).toFixed(2)}× requests/s. Staleness over ${staleness.writes} writes through one cached gateway, read through another: ` +
      `visible after p50 ${staleness.otherGatewayMs.p50} ms, p99 ${staleness.otherGatewayMs.p99} ms, max ${staleness.otherGatewayMs.max} ms; ` +
      `writes the writing gateway's next read missed: ${staleness.staleOnWriter}.`,
  ].join('\n');
}
