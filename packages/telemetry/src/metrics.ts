import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * Declares Prometheus metrics on one registry in one line each: a name, its help and its
 * labels. What every Potluck metric module starts with, so that the module reads as the list
 * of what it measures.
 */
export function metricsOn(registry: Registry) {
  const registers = [registry];
  return {
    counter: <Label extends string = never>(name: string, help: string, labelNames: readonly Label[] = []) =>
      new Counter<Label>({ name, help, labelNames, registers }),
    gauge: <Label extends string = never>(name: string, help: string, labelNames: readonly Label[] = []) =>
      new Gauge<Label>({ name, help, labelNames, registers }),
    histogram: <Label extends string = never>(
      name: string,
      help: string,
      labelNames: readonly Label[],
      buckets?: number[],
    ) => new Histogram<Label>({ name, help, labelNames, registers, ...(buckets && { buckets }) }),
    /** A gauge that asks `read` at each scrape (a synchronous read; async ones pass their own collect). */
    reading: (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      }),
    /** A gauge whose `collect` sets it, e.g. from a query shared with other gauges. */
    collected: (name: string, help: string, collect: () => Promise<void>) =>
      new Gauge({ name, help, registers, collect }),
  };
}
