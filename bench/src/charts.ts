import path from 'node:path';
import { writeCharts } from './charts/writeCharts.js';

/**
 * `npm run bench:charts -- <result.json>…`: draws the charts of existing gateway or event
 * results again, without re-running them. Paths are taken from where npm was started
 * (npm runs workspace scripts in bench/).
 */
const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: npm run bench:charts -- bench/results/<gateways|events>-<date>.json …');
  process.exit(2);
}
const from = process.env.INIT_CWD ?? process.cwd();
try {
  for (const file of files.map((name) => path.resolve(from, name))) {
    const written = await writeCharts(file);
    for (const output of written) console.error(`[bench:charts] wrote ${path.relative(from, output)}`);
  }
} catch (error) {
  console.error(error);
  process.exit(1);
}
