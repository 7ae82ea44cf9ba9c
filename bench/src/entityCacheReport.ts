import type { CacheBenchResult } from './entityCache.js';

/** The run as the Markdown that bench/README.md and docs/caching.md quote. */
export function toMarkdown(result: CacheBenchResult): string {
  const { off, entities, on, apollo } = result.pages;
  const row = (name: string, mode: typeof off) =>
    `| ${name} | ${mode.rps} | ${mode.p50} | ${mode.p99} | ${mode.cpuPerPageMs.recipes} | ${mode.cpuPerPageMs.comments} | ${mode.cpuPerPageMs.gateway} | ${mode.hitRatio ?? '–'} | ${mode.responseHitRatio ?? '–'} | ${mode.peakRssMiB} | ${mode.machineBusyPercent ?? '–'} |`;
  const times = (mode: typeof off) => `${(mode.rps / apollo.rps).toFixed(2)}×`;
  const { staleness } = result;
  return [
    `Entity cache, ${result.date} (${result.machine.cores} cores, ${result.machine.cpu}; load average ${result.loadAverage.start?.join(' / ')} at the start)`,
    '',
    `Distinct pages of 20 recipes with five comments each, ${result.settings.BENCH_CONNECTIONS} connections, ${result.settings.BENCH_SECONDS} s per round, lower median of ${result.settings.BENCH_ROUNDS} rounds:`,
    '',
    '| gateway | requests/s | p50 ms | p99 ms | recipes CPU ms/page | comments CPU ms/page | gateway CPU ms/page | entity hit ratio | response hit ratio | gateway RSS MiB | machine busy % |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    row('Potluck, cache off', off),
    row('Potluck, entity answers only', entities),
    row('Potluck, cache on (whole responses too)', on),
    row('stock Apollo Gateway', apollo),
    '',
    `Against stock Apollo Gateway: cache off ${times(off)}, entity answers only ${times(entities)}, cache on ${times(on)} requests/s. Staleness over ${staleness.writes} writes through one cached gateway, read through another: ` +
      `visible after p50 ${staleness.otherGatewayMs.p50} ms, p99 ${staleness.otherGatewayMs.p99} ms, max ${staleness.otherGatewayMs.max} ms; ` +
      `writes the writing gateway's next read missed: ${staleness.staleOnWriter}.`,
  ].join('\n');
}
