import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteBrokerTopology, graphqlRequest, testAmqpUrl, uniqueAmqpPrefix } from '@potluck/testing';
import { buildIde } from '../gateway/src/ide/buildIde.js';
import { useStack } from './stack.js';

/**
 * The IDE runs a subscription: Debian's Chromium opens the gateway's page, runs the
 * CommentAdded example (over a WebSocket to the gateway itself) and shows a comment added
 * meanwhile through the API. Skipped without Chromium, except in CI (see gatewayIde.e2e.test.ts).
 */
const CHROMIUM = '/usr/bin/chromium';
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);
const prefix = uniqueAmqpPrefix();

beforeAll(async () => {
  await buildIde();
}, 120_000);
afterAll(async () => {
  await deleteBrokerTopology(prefix);
});
const stack = useStack({
  recipes: { AMQP_PREFIX: prefix },
  comments: { AMQP_PREFIX: prefix },
  gateway: { AMQP_URL: testAmqpUrl(), AMQP_PREFIX: prefix },
});

describe.runIf(runBrowser)('subscriptions in the GraphQL IDE', () => {
  let browser: Browser;
  let page: Page;
  const sockets: string[] = [];
  let recipeId: string;

  beforeAll(async () => {
    const created = await graphqlRequest<{ createRecipe: { id: string } }>(
      stack.gatewayUrl,
      'mutation { createRecipe(input: { title: "Live soup", timeMinutes: 5, price: "2" }) { id } }',
    );
    recipeId = created.data!.createRecipe.id;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu'],
      headless: true,
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.route('**/*', (route) =>
      new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort('blockedbyclient'),
    );
    page = await context.newPage();
    page.on('websocket', (socket) => sockets.push(socket.url()));
    await page.goto(stack.gatewayUrl.replace('/graphql', '/'));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('runs CommentAdded over a WebSocket to the gateway and shows each comment as it comes', async () => {
    const variables = page.locator('.graphiql-editor-tool .graphiql-editor:visible').first();
    await variables.getByText('"commentsFirst"').waitFor();
    await page.locator('.graphiql-tab-button', { hasText: /^CommentAdded$/ }).click();
    await page.waitForFunction(() => {
      const saved = JSON.parse(localStorage.getItem('graphiql:tabState') ?? '{}');
      return saved.tabs?.[saved.activeTabIndex]?.operationName === 'CommentAdded';
    });
    await variables.getByText(recipeId).waitFor();
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    const add = (text: string) =>
      graphqlRequest(stack.gatewayUrl, 'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }', {
        input: { recipeId, text },
      });
    // The page shows nothing until the first event: comment until one shows.
    for (let n = 0; ; n++) {
      await add(`Seen live ${n}`);
      const shown = await response
        .getByText(`Seen live ${n}`)
        .first()
        .waitFor({ timeout: 1000 })
        .then(
          () => true,
          () => false,
        );
      if (shown) break;
      expect(n, 'no comment reached the IDE').toBeLessThan(20);
    }
    await response.getByText('"title": "Live soup"').first().waitFor();
    const origin = new URL(stack.gatewayUrl);
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.every((url) => url === `ws://${origin.host}/graphql`)).toBe(true);
  });
});
