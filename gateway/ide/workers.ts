/**
 * Monaco runs its language services in web workers. The build writes each worker as its
 * own script beside this bundle, so they load from the gateway, never from a CDN.
 */
const WORKERS: Record<string, string> = {
  json: 'json.worker.js',
  graphql: 'graphql.worker.js',
};

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    const file = WORKERS[label] ?? 'editor.worker.js';
    return new Worker(new URL(`./${file}`, import.meta.url), { name: label });
  },
};
