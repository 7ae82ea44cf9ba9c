import { randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import type { EventType } from '@potluck/messaging';
import { testAmqpUrl } from '@potluck/testing';
import { amqpUser, type ConsumerTopology } from '../../src/index.js';
import { recipeEvent } from '../support.js';
import { MAX_BODY_BYTES, expectedFate, type Expected, type Verdict } from './expectedFate.js';
import { Big } from './fieldValues.js';
import { RETRY_QUEUE, WORK_QUEUE, type BAD_IDS, type Batch, type BodySpec, type Mutation } from './hostileMessages.js';

function pathParts(event: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const parts = path.split('.');
  const last = parts.pop() as string;
  const parent = parts.reduce((object, part) => object[part] as Record<string, unknown>, event);
  return [parent, last];
}

function setPath(event: Record<string, unknown>, path: string, value: unknown): void {
  const [parent, key] = pathParts(event, path);
  Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
}

function badId(how: (typeof BAD_IDS)[number]): string {
  const fresh = randomUUID();
  const ids = {
    short: fresh.slice(1),
    long: `${fresh}0`,
    upper: fresh.toUpperCase(),
    bare: fresh.replaceAll('-', ''),
    version0: `${fresh.slice(0, 14)}0${fresh.slice(15)}`,
    variantC: `${fresh.slice(0, 19)}c${fresh.slice(20)}`,
    braces: `{${fresh}}`,
    fresh,
    text: 'not-a-uuid',
  };
  return ids[how];
}

/** A recipe event with fresh ids (so no batch repeats one), its title telling the handler what to do, then broken. */
function envelopeBody(type: EventType, verdict: Verdict, mutation: Mutation): Buffer {
  const event = JSON.parse(JSON.stringify(recipeEvent(type, randomUUID(), 1))) as Record<string, unknown>;
  setPath(event, 'data.title', `fuzz:${verdict}`);
  const { op } = mutation;
  if (op === 'set') setPath(event, mutation.path, mutation.value);
  if (op === 'delete') Reflect.deleteProperty(...pathParts(event, mutation.path));
  if (op === 'extra')
    setPath(mutation.inData ? (event.data as Record<string, unknown>) : event, mutation.key, mutation.value);
  if (op === 'badId') setPath(event, mutation.path, badId(mutation.how));
  if (op === 'huge') setPath(event, mutation.path, 'x'.repeat(mutation.length));
  if (op === 'deep') setPath(event, mutation.path, new Big(mutation.shape, mutation.depth).expand());
  if (op === 'chars') {
    const [parent, key] = pathParts(event, mutation.path);
    const was = String(parent[key] ?? '');
    parent[key] = { start: mutation.chars + was, end: was + mutation.chars, only: mutation.chars }[mutation.at];
  }
  if (op === 'pad') {
    event.padding = '';
    const short = MAX_BODY_BYTES + mutation.over - Buffer.byteLength(JSON.stringify(event));
    event.padding = 'x'.repeat(Math.max(0, short));
  }
  const json = Buffer.from(JSON.stringify(event));
  if (op !== 'splice') return json;
  const at = mutation.at === undefined ? json.indexOf('"title":"') + 9 : mutation.at % (json.length + 1);
  return Buffer.concat([json.subarray(0, at), Buffer.from(mutation.hex, 'hex'), json.subarray(at)]);
}

function content(spec: BodySpec): Buffer {
  if (spec.kind === 'envelope') return envelopeBody(spec.type, spec.verdict, spec.mutation);
  if (spec.kind === 'bytes') return Buffer.from(spec.bytes);
  if (spec.kind === 'noise') return Buffer.alloc(spec.length, 0xff);
  return Buffer.from(JSON.stringify(spec.value) ?? '');
}

/** Generated headers as sent: stand-ins replaced by this batch's names, `Big` expanded, `proto` renamed. */
function materialize(value: unknown, topology: ConsumerTopology): unknown {
  if (value === RETRY_QUEUE) return topology.retryQueue;
  if (value === WORK_QUEUE) return topology.workQueue;
  if (value instanceof Big) return value.expand();
  if (Array.isArray(value)) return value.map((item) => materialize(item, topology));
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return value;
  const entries = Object.entries(value).map(([key, item]) => [key === 'proto' ? '__proto__' : key, item]);
  return Object.fromEntries(entries.map(([key, item]) => [key, materialize(item, topology)]));
}

function mentionsRetryQueue(value: unknown): boolean {
  if (value === RETRY_QUEUE) return true;
  if (typeof value !== 'object' || value === null || value instanceof Big || Buffer.isBuffer(value)) return false;
  return Object.values(value).some(mentionsRetryQueue);
}

/** A message ready to publish, with what should become of it. */
export interface Planned {
  label: string;
  content: Buffer;
  routingKey: string;
  options: Options.Publish;
  expected: Expected;
}

/** The messages of a generated batch as they will be published to this topology, each with its expected fate. */
export function plan(generated: Batch, topology: ConsumerTopology): Planned[] {
  // The test channel's login, which the consumer trusts: what the fuzz varies is everything else.
  const userId = amqpUser(testAmqpUrl());
  const planned = generated.hostile.map(({ body: spec, properties: generatedProperties, routingKey }): Planned => {
    const bytes = content(spec);
    const { headers: generatedHeaders, ...rest } = generatedProperties;
    const label = spec.kind === 'envelope' ? `envelope/${spec.mutation.op}/${spec.verdict}` : spec.kind;
    const options = {
      ...rest,
      userId,
      persistent: true,
      headers: materialize(generatedHeaders, topology) as Options.Publish['headers'],
    };
    return {
      label,
      content: bytes,
      routingKey,
      options,
      expected: expectedFate(bytes, mentionsRetryQueue(generatedHeaders)),
    };
  });
  for (const position of generated.neighbours) {
    const event = recipeEvent('recipe.created', randomUUID(), 1);
    const options = { messageId: event.id, contentType: 'application/json', persistent: true, userId };
    const neighbour = { label: 'neighbour', routingKey: event.type, options, expected: { applied: event.id } };
    planned.splice(position % (planned.length + 1), 0, { ...neighbour, content: Buffer.from(JSON.stringify(event)) });
  }
  return planned;
}
