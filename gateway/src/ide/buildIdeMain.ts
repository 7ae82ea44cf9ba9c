import { buildIde } from './buildIde.js';

/** `npm run build:ide`: bundles the IDE when its sources or packages changed. `--force` always rebuilds. */
const started = performance.now();
const { built, dir } = await buildIde({ force: process.argv.includes('--force') });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(built ? `built the GraphQL IDE into ${dir} in ${seconds} s` : `the GraphQL IDE in ${dir} is up to date`);
