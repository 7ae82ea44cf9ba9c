import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';
import { createClient, CreateRecipeDocument } from '@potluck/client';
import { dropDatabase, withDatabase } from '@potluck/db';
import { deleteBrokerTopology, freePort, randomName, testServerUrl, uniqueAmqpPrefix, waitFor } from '@potluck/testing';
import { REPO_ROOT } from '../scripts/stack.js';

const recipesUrl = withDatabase(testServerUrl(), randomName('potluck_test_start_recipes'));
const commentsUrl = withDatabase(testServerUrl(), randomName('potluck_test_start_comments'));
const amqpPrefix = uniqueAmqpPrefix();

afterAll(async () => {
  await Promise.all([dropDatabase(recipesUrl), dropDatabase(commentsUrl)]);
  await deleteBrokerTopology(amqpPrefix);
});

it('`npm start` creates missing databases, serves through the gateway, and Ctrl-C stops all three cleanly', async () => {
  const [gatewayPort, recipesPort, commentsPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      RECIPES_DATABASE_URL: recipesUrl,
      AMQP_PREFIX: amqpPrefix,
      COMMENTS_DATABASE_URL: commentsUrl,
      GATEWAY_PORT: String(gatewayPort),
      RECIPES_PORT: String(recipesPort),
      COMMENTS_PORT: String(commentsPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr])
    createInterface({ input: stream }).on('line', (line) => lines.push(line));
  const outputClosed = Promise.all(
    [child.stdout, child.stderr].map((stream) => new Promise((resolve) => stream.once('close', resolve))),
  );

  await waitFor(() => (lines.some((line) => line.includes('Potluck is up')) ? true : undefined), {
    timeoutMs: 90_000,
    what: `"Potluck is up" in:\n${lines.join('\n')}`,
  });
  const client = createClient({ url: `http://127.0.0.1:${gatewayPort}/graphql` });
  const { createRecipe } = await client.request(CreateRecipeDocument, {
    input: { title: 'Started', timeMinutes: 5, price: '1' },
  });
  expect(createRecipe.title).toBe('Started');

  // Ctrl-C in a terminal signals the whole foreground process group.
  process.kill(-child.pid!, 'SIGINT');
  await outputClosed;
  expect(lines).toContain('all services stopped');
  for (const service of ['recipes', 'comments', 'gateway']) {
    expect(lines.some((line) => line.startsWith(`[${service}]`) && line.includes('"msg":"stopped"'))).toBe(true);
  }
}, 120_000);
