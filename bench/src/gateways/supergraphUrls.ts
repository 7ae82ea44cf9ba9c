/**
 * The committed supergraph with each named subgraph's URL replaced, so every gateway in the
 * benchmark (Potluck's and its peers) reads one identical file that points at this run's ports.
 */
export function withSubgraphUrls(supergraphSdl: string, urls: Record<string, string>): string {
  let replaced = supergraphSdl;
  for (const [name, url] of Object.entries(urls)) {
    const pattern = new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*(")`);
    if (!pattern.test(replaced)) throw new Error(`the supergraph names no subgraph "${name}"`);
    replaced = replaced.replace(pattern, `$1${url}$2`);
  }
  return replaced;
}
