import { Response, type RequestInit } from 'undici';

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

interface SharedAnswer {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: string;
}

/** Apollo Gateway serializes every subgraph call as `{"query":"<operation>",…}`; only queries are shared. */
const MUTATION = /^\{"query":"mutation\b/;

/** What makes two subgraph calls the same call: the URL, the body and every header but the request id. */
export function dedupeKeyOf(url: string, init: RequestInit = {}): string | undefined {
  if (init.method !== 'POST' || typeof init.body !== 'string' || MUTATION.test(init.body)) return undefined;
  if (init.headers !== undefined && (Array.isArray(init.headers) || typeof init.headers.entries === 'function')) {
    return undefined;
  }
  const headers = Object.entries((init.headers ?? {}) as Record<string, string>)
    .filter(([name]) => name.toLowerCase() !== 'x-request-id')
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  return `${url}\n${headers.join('\n')}\n${init.body}`;
}

/**
 * Shares one subgraph call among concurrent identical ones: while a query with the same
 * URL, body and credentials is in flight, later callers wait for its answer instead of
 * sending their own (Hive Gateway's HTTP executor does the same by default). Each caller
 * gets its own copy of the body, so no two client requests ever share parsed objects.
 * The shared call carries the request id of the request that sent it.
 */
export function dedupeInflight(fetch: Fetch): Fetch {
  const inflight = new Map<string, Promise<SharedAnswer>>();
  return (url, init) => {
    const key = dedupeKeyOf(url, init);
    if (key === undefined) return fetch(url, init);
    let answer = inflight.get(key);
    if (!answer) {
      answer = fetch(url, init)
        .then(async (response) => ({
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers],
          body: await response.text(),
        }))
        .finally(() => inflight.delete(key));
      inflight.set(key, answer);
    }
    return answer.then(
      ({ body, ...rest }) =>
        new Response(body, { status: rest.status, statusText: rest.statusText, headers: rest.headers }),
    );
  };
}
