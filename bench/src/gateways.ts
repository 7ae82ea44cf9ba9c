import { writeResult } from './results.js';
import path from 'node:path';
import { loadBenchConfig } from './gateways/config.js';
import { compare, toMarkdown } from './gateways/report.js';
import { runGatewayBench } from './gateways/runGatewayBench.js';
import { writeCharts } from './charts/writeCharts.js';

/**
 * `npm run bench`: Potluck's gateway against its floor and its peers (stock Apollo Gateway,
 * Hive Gateway) on the same subgraphs, seed and query, in one run. Markdown on stdout,
 * JSON and its SVG charts in bench/results (or BENCH_RESULTS_DIR).
 */
try {
  const config = loadBenchConfig(process.env);
  const result = await runGatewayBench(config);
  const comparison = compare(result);
  console.log(toMarkdown(result, comparison));
  const file = await writeResult('gateways', { ...result, comparison }, config.BENCH_RESULTS_DIR);
  for (const written of [file, ...(await writeCharts(file))])
    console.error(`[bench] wrote ${path.relative(process.cwd(), written)}`);
} catch (error) {
  console.error(error);
  process.exit(1);
}
