import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddCommentDocument,
  CreateRecipeDocument,
  DeleteCommentDocument,
  DeleteRecipeDocument,
  RecipeDocument,
  UpdateRecipeDocument,
  type GraphQLClient,
} from '@potluck/client';
import { testAmqpUrl, waitFor } from '@potluck/testing';
import { amqpUser } from '@potluck/messaging';
import { convergenceProblems, waitForConvergence } from './convergence.js';
import { runNpmCommand } from './npmCommand.js';
import { parkedCount, queryRows } from './stackProbes.js';
import { useStack } from './stack.js';

const stack = useStack();
let client: GraphQLClient;
let busyRecipeId: string;

beforeAll(async () => {
  client = await stack.client();
  busyRecipeId = await seedData();
  await waitForConvergence(stack);
});

/** Three recipes (one updated, one deleted) and comments (one deleted); returns the one with two live comments. */
async function seedData(): Promise<string> {
  const ids: string[] = [];
  for (const title of ['soup', 'bread', 'pie']) {
    const input = { title: `${title} ${randomUUID().slice(0, 8)}`, timeMinutes: 10, price: '3' };
    ids.push((await client.request(CreateRecipeDocument, { input })).createRecipe.id);
  }
  const [busy, quiet, gone] = ids as [string, string, string];
  await client.request(UpdateRecipeDocument, { id: busy, input: { title: 'soup, better' } });
  const comment = async (recipeId: string) =>
    (await client.request(AddCommentDocument, { input: { recipeId, text: 'yum' } })).addComment.id;
  await comment(busy);
  await comment(busy);
  await client.request(DeleteCommentDocument, { id: await comment(quiet) });
  await comment(gone);
  await client.request(DeleteRecipeDocument, { id: gone });
  return busy;
}

/** Outbox ids a service has written so far: the events a replay adds are the ones not in here. */
async function outboxIds(service: 'recipes' | 'comments'): Promise<Set<string>> {
  const rows = await queryRows(stack.databaseUrls[service], 'SELECT id::text FROM outbox');
  return new Set(rows.map((row) => String(row.id)));
}

/** Waits until every event `producer` wrote since `before` is in the consumer's inbox. */
async function waitUntilConsumed(producer: 'recipes' | 'comments', before: Set<string>): Promise<string[]> {
  const added = [...(await outboxIds(producer))].filter((id) => !before.has(id));
  const consumer = producer === 'recipes' ? 'comments' : 'recipes';
  await waitFor(
    async () => {
      const [{ seen }] = (await queryRows(
        stack.databaseUrls[consumer],
        'SELECT count(*)::int AS seen FROM inbox WHERE message_id = ANY($1::uuid[])',
        [added],
      )) as [{ seen: number }];
      return seen === added.length ? true : undefined;
    },
    { what: `${consumer} to consume the replayed events` },
  );
  return added;
}

const snapshot = (url: string, table: string) =>
  queryRows(url, `SELECT id::text, version, deleted, updated_at FROM ${table} ORDER BY id`);

describe('npm run replay', () => {
  it('rebuilds the comments service’s wiped recipe replica, and a second replay changes nothing', async () => {
    await queryRows(stack.databaseUrls.comments, 'DELETE FROM recipe_replica');
    expect(await convergenceProblems(stack)).toContainEqual(
      expect.stringMatching(/^recipe .* missing in the replica$/),
    );

    const before = await outboxIds('recipes');
    const { lines } = await runNpmCommand(stack, 'recipes', 'replay');
    expect(lines).toEqual(['recipes: queued 2 snapshot(s) in the outbox; the running service publishes them']);
    await waitForConvergence(stack);
    await waitUntilConsumed('recipes', before);
    const rebuilt = await snapshot(stack.databaseUrls.comments, 'recipe_replica');
    expect(rebuilt.map(({ version, deleted }) => ({ version, deleted }))).toEqual(
      expect.arrayContaining([
        { version: 2, deleted: false },
        { version: 1, deleted: false },
      ]),
    );

    const again = await outboxIds('recipes');
    await runNpmCommand(stack, 'recipes', 'replay');
    expect(await waitUntilConsumed('recipes', again)).toHaveLength(2);
    expect(await snapshot(stack.databaseUrls.comments, 'recipe_replica')).toEqual(rebuilt);
    expect(await convergenceProblems(stack)).toEqual([]);
  });

  it('rebuilds the recipes service’s wiped comment replica and commentCount, and a second replay changes nothing', async () => {
    await queryRows(stack.databaseUrls.recipes, 'DELETE FROM comment_replica');
    await queryRows(stack.databaseUrls.recipes, 'UPDATE recipes SET comment_count = 0');
    expect((await client.request(RecipeDocument, { id: busyRecipeId })).recipe?.commentCount).toBe(0);

    const before = await outboxIds('comments');
    const { lines } = await runNpmCommand(stack, 'comments', 'replay');
    expect(lines).toEqual(['comments: queued 2 snapshot(s) in the outbox; the running service publishes them']);
    await waitForConvergence(stack);
    expect((await client.request(RecipeDocument, { id: busyRecipeId })).recipe).toMatchObject({
      commentCount: 2,
      comments: { totalCount: 2 },
    });
    await waitUntilConsumed('comments', before);
    const rebuilt = await snapshot(stack.databaseUrls.recipes, 'comment_replica');

    const again = await outboxIds('comments');
    await runNpmCommand(stack, 'comments', 'replay');
    expect(await waitUntilConsumed('comments', again)).toHaveLength(2);
    expect(await snapshot(stack.databaseUrls.recipes, 'comment_replica')).toEqual(rebuilt);
    expect(await convergenceProblems(stack)).toEqual([]);
  });
});

async function publishMalformed(messageId: string): Promise<void> {
  const connection = await amqp.connect(testAmqpUrl());
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(`${stack.amqpPrefix}.recipes.events`, 'recipe.created', Buffer.from('{"id": "half a message'), {
      messageId,
      type: 'recipe.created',
      contentType: 'application/json',
      persistent: true,
      userId: amqpUser(testAmqpUrl()),
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** The parked listing: its headline and the parsed JSON line of each message. */
async function listParked() {
  const { lines } = await runNpmCommand(stack, 'comments', 'parked');
  const entries = lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { headline: lines[0], entries, lines };
}

describe('npm run parked', () => {
  it('lists a malformed message with its reason, and --requeue sends it back (where it is parked again)', async () => {
    const messageId = randomUUID();
    await publishMalformed(messageId);
    await waitFor(async () => ((await parkedCount(stack, ['comments'])) === 1 ? true : undefined), {
      what: 'the message to be parked',
    });

    const first = await listParked();
    expect(first.headline).toBe(`comments: 1 parked message(s) in ${stack.amqpPrefix}.comments.parked`);
    expect(first.entries).toEqual([
      expect.objectContaining({
        messageId,
        type: 'recipe.created',
        reason: 'malformed-json',
        error: expect.stringMatching(/^SyntaxError: /),
      }),
    ]);
    expect(first.lines).toContain('  body: {"id": "half a message');
    expect(
      await waitFor(async () => ((await parkedCount(stack, ['comments'])) === 1 ? 1 : undefined)),
      'listing leaves it parked',
    ).toBe(1);

    const { lines } = await runNpmCommand(stack, 'comments', 'parked', ['--requeue']);
    expect(lines).toEqual([`comments: moved 1 parked message(s) back to ${stack.amqpPrefix}.comments.work`]);
    const second = await waitFor(
      async () => {
        const listing = await listParked();
        return listing.entries.some((entry) => entry.parkedAt !== first.entries[0]?.parkedAt) ? listing : undefined;
      },
      { what: 'the requeued message to be parked again', timeoutMs: 20_000 },
    );
    expect(second.entries).toEqual([expect.objectContaining({ messageId, reason: 'malformed-json' })]);
    expect(Date.parse(String(second.entries[0]!.parkedAt))).toBeGreaterThan(
      Date.parse(String(first.entries[0]!.parkedAt)),
    );
  });

  it('--discard deletes one parked message by id and leaves the others in order', async () => {
    const [kept, discarded] = [randomUUID(), randomUUID()];
    const before = (await listParked()).entries.length;
    await publishMalformed(discarded);
    await publishMalformed(kept);
    await waitFor(async () => ((await parkedCount(stack, ['comments'])) === before + 2 ? true : undefined), {
      what: 'both messages to be parked',
    });

    const { lines } = await runNpmCommand(stack, 'comments', 'parked', ['--discard', discarded]);
    expect(lines).toEqual([`comments: discarded parked message ${discarded} from ${stack.amqpPrefix}.comments.parked`]);
    const ids = (await listParked()).entries.map((entry) => entry.messageId);
    expect(ids).not.toContain(discarded);
    expect(ids.at(-1)).toBe(kept);
    expect(ids).toHaveLength(before + 1);

    await expect(runNpmCommand(stack, 'comments', 'parked', ['--discard', discarded])).rejects.toThrow(
      new RegExp(`no parked message ${discarded}`),
    );
  });
});
