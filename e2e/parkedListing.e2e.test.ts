import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { testAmqpUrl, waitFor } from '@potluck/testing';
import { amqpUser } from '@potluck/messaging';
import { runNpmCommand } from './npmCommand.js';
import { parkedCount } from './stackProbes.js';
import { useStack } from './stack.js';

const stack = useStack();

/** Publishes, as the producer's own broker login, bodies comments will park (an outsider's are parked before their body is read). */
async function publishToComments(body: string, properties: amqp.Options.Publish = {}): Promise<string> {
  const messageId = randomUUID();
  const connection = await amqp.connect(testAmqpUrl());
  try {
    const channel = await connection.createConfirmChannel();
    const options = {
      messageId,
      type: 'recipe.created',
      persistent: true,
      userId: amqpUser(testAmqpUrl()),
      ...properties,
    };
    channel.publish(`${stack.amqpPrefix}.recipes.events`, 'recipe.created', Buffer.from(body), options);
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
  return messageId;
}

async function waitParked(count: number): Promise<void> {
  await waitFor(async () => ((await parkedCount(stack, ['comments'])) === count ? true : undefined), {
    what: `${count} parked message(s)`,
  });
}

/** Anything but a line end that a terminal could act on: C0, DEL, C1, line separators, bidi controls. */
const TERMINAL_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u; // eslint-disable-line no-control-regex

describe('npm run parked, shown a hostile message', () => {
  it('prints control and bidi characters as visible escapes, in the headers and the body', async () => {
    const type = 'recipe.created\u001b]0;owned\u0007';
    const messageId = await publishToComments('{"x": "\u001b[2J\u001b[31mred\u009b1m\u202eexe.txt\u007f', { type });
    await waitParked(1);

    const { stdout, lines } = await runNpmCommand(stack, 'comments', 'parked');
    expect(stdout).not.toMatch(TERMINAL_CONTROLS);
    expect(lines).toContain('  body: {"x": "\\u001b[2J\\u001b[31mred\\u009b1m\\u202eexe.txt\\u007f');
    const entry = JSON.parse(lines.find((line) => line.startsWith('{'))!) as Record<string, unknown>;
    expect(entry).toMatchObject({ messageId, type, reason: 'malformed-json' });
  });

  it('cuts a long body short and says how long it was', async () => {
    await publishToComments(`{"padding": "${'p'.repeat(3000)}`);
    await waitParked(2);

    const { lines } = await runNpmCommand(stack, 'comments', 'parked');
    const bodies = lines.filter((line) => line.startsWith('  body: '));
    expect(bodies[1]).toBe(`  body: {"padding": "${'p'.repeat(500 - 13)} … (3013 bytes in all)`);
  });
});

describe('npm run parked --limit', () => {
  it('lists at most N messages and says how many more there are', async () => {
    for (let index = 0; index < 3; index += 1) await publishToComments(`not json ${index}`);
    await waitParked(5);

    const { lines } = await runNpmCommand(stack, 'comments', 'parked', ['--limit', '2']);
    expect(lines[0]).toBe(`comments: 5 parked message(s) in ${stack.amqpPrefix}.comments.parked`);
    expect(lines.filter((line) => line.startsWith('{'))).toHaveLength(2);
    expect(lines.at(-1)).toBe('comments: 3 more not shown; --limit 5 lists them');
    expect(await parkedCount(stack, ['comments']), 'listing leaves them parked').toBe(5);
  });

  it('refuses a limit that is not a whole number from 1 to 10 000', async () => {
    for (const limit of ['0', 'all', '-3', '100000']) {
      await expect(runNpmCommand(stack, 'comments', 'parked', ['--limit', limit])).rejects.toThrow(
        /--limit needs a whole number from 1 to 10000/,
      );
    }
  });
});
