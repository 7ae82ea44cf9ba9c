import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest, randomName, testUsers } from '@potluck/testing';
import { buildIde } from '../gateway/src/ide/buildIde.js';
import { REPO_ROOT } from '../scripts/stack.js';
import { useStack } from './stack.js';

/**
 * The IDE as a person meets it: Debian's Chromium, headless, opens the gateway's page,
 * runs the list example and sees recipes, signs in as a demo user from the picker (the
 * stack runs in development, trusting its development key). Every request the browser makes must go to
 * 127.0.0.1; anything else is blocked and fails the test. In CI a missing Chromium fails
 * the test (`.ci/run` installs it); on a laptop without it the test is skipped.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
];
const SCREENSHOT = path.join(REPO_ROOT, 'test-results', 'gateway-ide.png');
const CDN_HOSTS =
  /unpkg\.com|jsdelivr\.net|esm\.sh|cdnjs|googleapis\.com|gstatic\.com|skypack\.dev|embeddable-sandbox|apollographql\.com/;
const runBrowser = existsSync(CHROMIUM) || Boolean(process.env.CI);

// The gateway looks for the IDE's build as it starts, so it is built first.
beforeAll(async () => {
  await buildIde();
}, 120_000);
const stack = useStack();
let origin: string;
const tag = randomName('ide').replace(/_/g, '-');
const title = `Shakshuka ${tag}`;
let recipeId: string;

beforeAll(async () => {
  origin = stack.gatewayUrl.replace('/graphql', '');
  const created = await graphqlRequest<{ createRecipe: { id: string } }>(
    stack.gatewayUrl,
    'mutation($input: CreateRecipeInput!) { createRecipe(input: $input) { id } }',
    { input: { title, timeMinutes: 30, price: '12.50' } },
    await stack.identities.bearer(testUsers.ana),
  );
  recipeId = created.data!.createRecipe.id;
  await graphqlRequest(
    stack.gatewayUrl,
    'mutation($input: AddCommentInput!) { addComment(input: $input) { id } }',
    { input: { recipeId, text: `Lovely ${tag}` } },
    await stack.identities.bearer(testUsers.joe),
  );
});

/** The JSON config the page hands the browser. */
function pageConfig(html: string): { demoUsers?: Array<{ user: string; name: string; token: string }> } {
  return JSON.parse(/<script id="potluck-ide-config" type="application\/json">(.*)<\/script>/.exec(html)![1]!);
}

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('GET / without a browser', () => {
  it('answers a non-browser client with JSON that points at the API', async () => {
    const response = await fetch(`${origin}/`, { headers: { accept: '*/*' } });
    expect(await response.json()).toMatchObject({ graphql: '/graphql' });
  });

  it('serves a page that loads only from the gateway: no CDN, a CSP of self', async () => {
    const response = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(urls.filter((url) => !url.startsWith('data:'))).toEqual(['/ide/ide.css', '/ide/ide.js']);
    for (const url of urls.filter((candidate) => candidate.startsWith('/'))) {
      const asset = await fetch(`${origin}${url}`);
      expect(asset.status, url).toBe(200);
      expect(await asset.text()).not.toMatch(CDN_HOSTS);
    }
  });

  it('offers the demo users, with tokens signed by the development key, in a page that is never cached', async () => {
    const response = await fetch(`${origin}/`, { headers: { accept: 'text/html' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const { demoUsers = [] } = pageConfig(await response.text());
    expect(demoUsers.map(({ user, name }) => ({ user, name }))).toEqual([
      { user: 'ana', name: 'Ana' },
      { user: 'joe', name: 'Joe' },
      { user: 'mo', name: 'Mo (moderator)' },
    ]);
    const viewer = await graphqlRequest<{ viewer: { id: string } }>(
      stack.gatewayUrl,
      '{ viewer { id } }',
      {},
      {
        authorization: `Bearer ${demoUsers[2]!.token}`,
      },
    );
    expect(viewer.data?.viewer).toEqual({ id: 'mo' });
  });

  it('sends a browser that opens /graphql to the IDE', async () => {
    const response = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
  });
});

describe.runIf(runBrowser)('the GraphQL IDE in headless Chromium', () => {
  let browser: Browser;
  let page: Page;
  const offsite: string[] = [];
  const visited: string[] = [];
  const problems: string[] = [];
  const sent: Array<{ operationName?: string; headers: Record<string, string> }> = [];
  /** What the browser last sent to /graphql for this operation. */
  const lastSent = (operationName: string) => sent.findLast((request) => request.operationName === operationName);
  const picker = () => page.getByLabel('Signed in as');

  /**
   * Opens a tab and waits until GraphiQL would run its operation: it takes the operation name
   * from the editor 100 ms after a tab switch (debounced) and saves the tab soon after; run
   * before that and it sends the previous tab's name.
   */
  async function openTab(name: string) {
    await page.locator('.graphiql-tab-button', { hasText: new RegExp(`^${name}$`) }).click();
    await page.waitForFunction((operationName) => {
      const saved = JSON.parse(localStorage.getItem('graphiql:tabState') ?? '{}');
      return saved.tabs?.[saved.activeTabIndex]?.operationName === operationName;
    }, name);
  }

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      visited.push(url.pathname);
      if (url.hostname === '127.0.0.1') return route.continue();
      offsite.push(url.href);
      return route.abort('blockedbyclient');
    });
    page = await context.newPage();
    page.on('websocket', (socket) => offsite.push(socket.url()));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('request', (request) => {
      if (request.method() !== 'POST' || !request.url().endsWith('/graphql')) return;
      const { operationName } = (request.postDataJSON() ?? {}) as { operationName?: string };
      sent.push({ operationName, headers: request.headers() });
    });

    await page.goto(`${origin}/`);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('opens with the example operations as tabs', async () => {
    const tabs = page.locator('.graphiql-tab-button');
    await tabs.first().waitFor();
    const names = await tabs.allTextContents();
    expect(names.slice(0, 5).map((name) => name.trim())).toEqual([
      'RecipesWithComments',
      'Recipe',
      'CreateRecipe',
      'UpdateRecipe',
      'AddComment',
    ]);
    const variables = page.locator('.graphiql-editor-tool .graphiql-editor:visible').first();
    await variables.getByText('"commentsFirst"').waitFor();
  });

  it('runs the list example and shows the recipes with their comments in the result pane', async () => {
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.getByText(title).first().waitFor({ timeout: 15_000 });
    await response.getByText(`Lovely ${tag}`).first().waitFor();
    await mkdir(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(existsSync(SCREENSHOT)).toBe(true);
  });

  it('opens the one-recipe example with the newest recipe’s id, ready to run', async () => {
    await openTab('Recipe');
    const variables = page.locator('.graphiql-editor-tool .graphiql-editor:visible').first();
    await variables.getByText(recipeId).waitFor();
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.getByText(`"id": "${recipeId}"`).first().waitFor({ timeout: 15_000 });
    await response.getByText(title).first().waitFor();
  });

  it('signs in as the demo user picked at the top right: their token goes with the request, and the new recipe is theirs', async () => {
    expect(await picker().inputValue(), 'a first visit starts as the first demo user').toBe('ana');
    expect(await picker().locator('option').allTextContents()).toEqual(['Anonymous', 'Ana', 'Joe', 'Mo (moderator)']);
    await picker().selectOption({ label: 'Joe' });
    await openTab('CreateRecipe');
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.getByText('"title": "Shakshuka"').first().waitFor({ timeout: 15_000 });
    await response.getByText('"name": "Joe"').first().waitFor();
    const authorization = lastSent('CreateRecipe')?.headers.authorization ?? '';
    expect(authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(payloadOf(authorization.slice('Bearer '.length))).toMatchObject({ sub: 'joe', name: 'Joe' });
  });

  it('sends no Authorization as anonymous: the gateway sees no viewer', async () => {
    await picker().selectOption({ label: 'Anonymous' });
    await openTab('Viewer');
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.graphiql-response').getByText('"viewer": null').first().waitFor({ timeout: 15_000 });
    expect(lastSent('Viewer')?.headers).not.toHaveProperty('authorization');
  });

  it('sends what the headers editor holds, its Authorization over the picked user’s', async () => {
    await picker().selectOption({ label: 'Ana' });
    const token = await stack.identities.token(testUsers.moderator);
    await page.getByRole('button', { name: 'Headers' }).click();
    await page.locator('.graphiql-editor-tool .monaco-editor:visible .view-lines').click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(`{"x-request-id": "from-the-ide", "Authorization": "Bearer ${token}"`);
    // Monaco closes brackets and quotes as they are typed: drop what it added, then close the object.
    await page.keyboard.press('Shift+ControlOrMeta+End');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText('}');
    await page.keyboard.press('ControlOrMeta+Enter');
    await expect.poll(() => lastSent('Viewer')?.headers['x-request-id']).toBe('from-the-ide');
    expect(lastSent('Viewer')?.headers.authorization).toBe(`Bearer ${token}`);
    await page.locator('.graphiql-response').getByText('"id": "mo"').first().waitFor({ timeout: 15_000 });
  });

  it('shows the schema docs (introspection is on in development)', async () => {
    await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().waitFor();
    await docs.getByText('Query', { exact: true }).first().click();
    await docs.getByText('recipes', { exact: true }).first().waitFor();
  });

  it('loaded everything from the gateway, workers included, with no errors', () => {
    expect(offsite).toEqual([]);
    expect(visited).toEqual(expect.arrayContaining(['/', '/ide/ide.js', '/ide/ide.css', '/ide/graphql.worker.js']));
    expect(problems).toEqual([]);
  });
});
