import { isDeepStrictEqual } from 'node:util';
import type { RunningBench } from './benchStack.js';
import { GATEWAYS } from './gatewayNames.js';
import { floorPage, openPools } from './closedLoop.js';
import { body, PAGES_QUERY, pageQuery } from './queries.js';

async function ask(url: string, payload: string): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
  return response.json();
}

const excerpt = (answer: unknown) => JSON.stringify(answer).slice(0, 300);

/** The floor's page, fetched once over its own client. */
async function floorAnswer(bench: RunningBench, pageSize: number): Promise<unknown> {
  const { pools, close } = openPools([bench.urls.recipes, bench.urls.comments], 1);
  try {
    const page = await floorPage(
      pools[0]!,
      pools[1]!,
      bench.urls,
      (subgraph) => bench.auth.credential(subgraph),
      pageSize,
    )();
    if (!page) throw new Error('the floor could not fetch the page of comments');
    return page;
  } finally {
    await close();
  }
}

/**
 * Before anything is measured: every gateway answers the page query exactly as the floor
 * merges it from the subgraphs, and a later page (`after` the cursor) exactly as Potluck's
 * gateway does. Gateways that answered differently would be measured doing different work.
 */
export async function checkSameAnswers(bench: RunningBench, pageSize: number, cursor: string | null): Promise<void> {
  const page = await floorAnswer(bench, pageSize);
  const later = await ask(bench.urls.potluck, body(PAGES_QUERY, { after: cursor }));
  const problems: string[] = [];
  if (!isDeepStrictEqual(Object.keys(later as object), ['data']))
    problems.push(`potluck, later page: ${excerpt(later)}`);
  for (const gateway of GATEWAYS) {
    const answers = {
      page: await ask(bench.urls[gateway], body(pageQuery(pageSize))),
      'later page': await ask(bench.urls[gateway], body(PAGES_QUERY, { after: cursor })),
    };
    if (!isDeepStrictEqual(answers.page, page)) problems.push(`${gateway}, page: ${excerpt(answers.page)}`);
    if (!isDeepStrictEqual(answers['later page'], later))
      problems.push(`${gateway}, later page: ${excerpt(answers['later page'])}`);
  }
  if (problems.length > 0) {
    throw new Error(`the gateways do not all answer as the floor does (${excerpt(page)}):\n${problems.join('\n')}`);
  }
}
