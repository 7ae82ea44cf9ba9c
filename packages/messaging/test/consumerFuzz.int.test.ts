import { createHash, randomUUID } from 'node:crypto';
import type { Options } from 'amqplib';
import fc from 'fast-check';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type EventType, type ValidEvent } from '@potluck/events';
import {
  createTestDatabase,
  deleteBrokerTopology,
  testAmqpUrl,
  uniqueAmqpPrefix,
  waitFor,
  type TestDatabase,
} from '@potluck/testing';
import {
  Broker,
  InboxConsumer,
  PoisonMessage,
  consumerTopology,
  countParked,
  listParked,
  type ConsumerTopology,
} from '../src/index.js';
import { noFailpoints, openTestChannel, pgTransactions, recipeEvent } from './support.js';

/**
 * Batches of hostile messages (odd bodies, odd headers and properties) around a few valid
 * events, published to a fresh consumer per batch. Whatever arrives, the consumer keeps its
 * one connection and channel, logs nothing but parking, retries and re-encoding, and every
 * message ends up once somewhere: applied if it is a valid event its handler accepts, parked
 * with the reason an operator would expect otherwise. Seeded (FUZZ_SEED) and bounded
 * (FUZZ_RUNS batches), so a failure replays exactly (FUZZ_SEED and FUZZ_PATH from its report).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_214);
const RUNS = Number(process.env.FUZZ_RUNS ?? 15);
/** A failure's `path`, to replay just that counterexample. */
const PATH = process.env.FUZZ_PATH;
const MAX_BODY_BYTES = 4096;
/** How long one batch may take to settle; a normal one takes well under a second. */
const SETTLE_MS = 6_000;
const BINDINGS: readonly EventType[] = ['recipe.created', 'recipe.updated'];
/** Stand-ins for this batch's queue names inside generated headers (a forged `x-death` names them). */
const RETRY_QUEUE = '<retry queue>';
const WORK_QUEUE = '<work queue>';
const EXPECTED_LOGS = new Set([
  'parking message',
  'could not encode a copy of the message',
  'handler failed; retrying later',
]);

/** A long value in a generated case, kept short in a printed counterexample; `materialize` expands it. */
class Big {
  constructor(
    readonly shape: 'string' | 'table' | 'array',
    readonly size: number,
  ) {}
  [fc.toStringMethod](): string {
    return `Big(${this.shape}, ${this.size})`;
  }
  expand(): unknown {
    if (this.shape === 'string') return 'x'.repeat(this.size);
    let value: unknown = 'bottom';
    for (let level = 0; level < this.size; level += 1) value = this.shape === 'table' ? { a: value } : [value];
    return value;
  }
}

const text = fc.oneof(
  fc.constantFrom('', 'abc', '3', '-1', '1e3', 'NaN', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
/**
 * AMQP doubles. Fractions past 2^50 and huge negatives decode to numbers amqplib cannot encode
 * again. NaN and ±Infinity are left out: RabbitMQ 3.10 closes the publisher's connection on them.
 */
const double = fc
  .oneof(
    fc.constantFrom(2 ** 50 + 0.5, -(2 ** 50) - 0.5, -1e300, 1e300, -Number.MAX_VALUE, 5e-324, -0),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  )
  .map((value) => ({ '!': 'double', value }));
const typed = fc.oneof(
  fc.integer({ min: -128, max: 127 }).map((value) => ({ '!': 'int8', value })),
  fc.integer({ min: 0, max: 65_535 }).map((value) => ({ '!': 'uint16', value })),
  fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((value) => ({ '!': 'uint32', value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ '!': 'int64', value })),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((value) => ({ '!': 'timestamp', value })),
  fc.float({ noNaN: true, noDefaultInfinity: true }).map((value) => ({ '!': 'float', value })),
  fc
    .record({ places: fc.integer({ min: 0, max: 255 }), digits: fc.integer({ min: 0, max: 2 ** 32 - 1 }) })
    .map((value) => ({ '!': 'decimal', value })),
  // A table with its own '!' key, which amqplib reads back as a value of an unknown type.
  fc.tuple(text, text).map(([type, value]) => ({ '!': 'object', value: { '!': type, value } })),
);
const smallLeaf = fc.oneof(
  text,
  fc.boolean(),
  fc.constant(null),
  fc.integer(),
  fc.maxSafeInteger(),
  double,
  typed,
  fc.uint8Array({ maxLength: 16 }).map((bytes) => Buffer.from(bytes)),
);
const bigLeaf = fc.oneof(
  fc.integer({ min: 256, max: 5_000 }).map((size) => new Big('string', size)),
  fc
    .tuple(fc.constantFrom('table', 'array'), fc.integer({ min: 50, max: 1_000 }))
    .map(([shape, size]) => new Big(shape, size)),
);
const leaf = fc.oneof({ arbitrary: smallLeaf, weight: 9 }, { arbitrary: bigLeaf, weight: 1 });
const { value: fieldValue } = fc.letrec<{ value: unknown; list: unknown[]; table: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ maxDepth: 3 }, leaf, tie('list'), tie('table')),
  list: fc.array(tie('value'), { maxLength: 4 }),
  table: fc.dictionary(
    fc.string({ maxLength: 12 }).filter((key) => key !== '!'),
    tie('value'),
    { maxKeys: 4 },
  ),
}));
const counter = fc.oneof(
  fieldValue,
  fc.integer({ min: -3, max: 10 }),
  fc.constantFrom(2 ** 31, 1_000_001, 2 ** 53),
  double,
);
const xDeathEntry = fc.record(
  {
    queue: fc.oneof(fc.constantFrom(RETRY_QUEUE, WORK_QUEUE), fieldValue),
    reason: fc.oneof(fc.constantFrom('expired', 'rejected', 'delivery_limit'), fieldValue),
    count: counter,
    exchange: fieldValue,
    time: fieldValue,
  },
  { requiredKeys: [] },
);
const xDeath = fc.oneof(fieldValue, fc.array(fc.oneof(xDeathEntry, fieldValue), { maxLength: 4 }));
/** `proto` is sent as a `__proto__` header, which amqplib decodes into the headers' prototype. */
const garbageHeaders = fc.record(
  {
    'x-death': xDeath,
    'x-delivery-count': fieldValue,
    'x-first-death-queue': fieldValue,
    'potluck-attempts': counter,
    'potluck-retries': counter,
    'x-potluck-attempts': counter,
    'x-parked-reason': fieldValue,
    weight: double,
    proto: fc.record({ 'x-death': xDeath, 'potluck-attempts': counter }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);
/** Just under amqplib's 64 KiB header limit: the consumer's copy, with its own headers added, is over it. */
const fillerHeaders = fc.record(
  {
    'potluck-attempts': smallLeaf,
    'x-potluck-attempts': smallLeaf,
    filler: fc.integer({ min: 64_400, max: 65_000 }).map((size) => new Big('string', size)),
  },
  { requiredKeys: ['filler'] },
);
const headers = fc.oneof({ arbitrary: garbageHeaders, weight: 9 }, { arbitrary: fillerHeaders, weight: 1 });
const shortText = fc.string({ unit: 'binary', maxLength: 60 });
const properties = fc.record(
  {
    messageId: fc.oneof(fc.constantFrom(undefined, '', '\u0000', 'x'.repeat(255), 'é'.repeat(127)), shortText),
    contentType: fc.oneof(fc.constantFrom(undefined, '', 'text/plain', 'application/json; charset=latin1'), shortText),
    contentEncoding: fc.constantFrom(undefined, 'gzip', 'identity'),
    type: fc.oneof(fc.constantFrom(undefined, 'recipe.created', 'recipe.deleted', 'comment.added'), shortText),
    priority: fc.integer({ min: 0, max: 255 }),
    timestamp: fc.maxSafeNat(),
    headers,
  },
  { requiredKeys: ['headers'] },
);

type Verdict = 'ok' | 'fail-twice' | 'fail-always' | 'poison';
const FIELDS = 'id type schemaVersion occurredAt aggregateId aggregateVersion correlationId data data.id data.title'
  .concat(' data.ingredients data.timeMinutes data.price data.createdAt data.version')
  .split(' ');
const TEXT_FIELDS = 'id type occurredAt aggregateId correlationId data.id data.title data.price'.split(' ');
const BAD_IDS = ['short', 'long', 'upper', 'bare', 'version0', 'variantC', 'braces', 'fresh', 'text'] as const;
/** Hex: bytes no UTF-8 decoder accepts (overlong, surrogate, past U+10FFFF, truncated), a BOM and a NUL. */
const INVALID_UTF8 = ['ff', 'feff', 'c0af', 'eda080', 'f4908080', '80', 'c3', 'efbbbf', '00'];

type Mutation =
  | { op: 'none' }
  | { op: 'set'; path: string; value: unknown }
  | { op: 'delete'; path: string }
  | { op: 'extra'; inData: boolean; key: string; value: unknown }
  | { op: 'badId'; path: string; how: (typeof BAD_IDS)[number] }
  | { op: 'huge'; path: string; length: number }
  | { op: 'chars'; path: string; chars: string; at: 'start' | 'end' | 'only' }
  | { op: 'deep'; path: string; shape: 'table' | 'array'; depth: number }
  | { op: 'pad'; over: number }
  | { op: 'splice'; hex: string; at: number | undefined };
type BodySpec =
  | { kind: 'envelope'; type: EventType; verdict: Verdict; mutation: Mutation }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'noise'; length: number }
  | { kind: 'json'; value: unknown };

const jsonish = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(-1, 0, 1.5, 2 ** 53, 1e308, true, null));
const op = <Op extends Mutation['op']>(name: Op) => fc.constant(name);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ op: op('none') }), weight: 5 },
  fc.record({ op: op('set'), path: fc.constantFrom(...FIELDS), value: jsonish }),
  fc.record({ op: op('delete'), path: fc.constantFrom(...FIELDS) }),
  fc.record({
    op: op('set'),
    path: fc.constant('type'),
    value: fc.oneof(fc.constantFrom('recipe.deleted', 'comment.added', 'RECIPE.CREATED', 'recipe.created\u0000'), text),
  }),
  fc.record({
    op: op('set'),
    path: fc.constantFrom('aggregateVersion', 'schemaVersion', 'data.version', 'data.timeMinutes'),
    value: fc.constantFrom(-1, 0, -0, 1, 2, 1.5, 2 ** 31, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e308, -1e308, '1'),
  }),
  fc.record({ op: op('set'), path: fc.constant('correlationId'), value: fc.constantFrom('', 'x'.repeat(129), 'c', 5) }),
  fc.record({
    op: op('extra'),
    inData: fc.boolean(),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'type'), fc.string({ maxLength: 10 })),
    value: jsonish,
  }),
  fc.record({
    op: op('badId'),
    path: fc.constantFrom('id', 'aggregateId', 'data.id'),
    how: fc.constantFrom(...BAD_IDS),
  }),
  fc.record({ op: op('huge'), path: fc.constantFrom(...TEXT_FIELDS), length: fc.integer({ min: 100, max: 6_000 }) }),
  fc.record({
    op: op('chars'),
    path: fc.constantFrom(...TEXT_FIELDS),
    chars: fc.constantFrom('\u0000', '\ud800', '\udfff', 'a\u0000\ud800b', '\u202e', '🍲'),
    at: fc.constantFrom('start', 'end', 'only'),
  }),
  fc.record({
    op: op('deep'),
    path: fc.constantFrom('nest', 'data.nest', 'data'),
    shape: fc.constantFrom('table', 'array'),
    depth: fc.integer({ min: 1, max: 1_800 }),
  }),
  fc.record({ op: op('pad'), over: fc.integer({ min: -2, max: 64 }) }),
  fc.record({ op: op('splice'), hex: fc.constantFrom(...INVALID_UTF8), at: fc.option(fc.nat(), { nil: undefined }) }),
);
const verdict = fc.oneof(
  { arbitrary: fc.constant<Verdict>('ok'), weight: 6 },
  { arbitrary: fc.constantFrom<Verdict>('fail-twice', 'fail-always', 'poison'), weight: 1 },
);
const kind = <Kind extends BodySpec['kind']>(name: Kind) => fc.constant(name);
const body: fc.Arbitrary<BodySpec> = fc.oneof(
  {
    arbitrary: fc.record({ kind: kind('envelope'), type: fc.constantFrom(...BINDINGS), verdict, mutation }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: kind('bytes'),
      bytes: fc.oneof(
        fc.uint8Array({ maxLength: 120 }),
        fc.constantFrom(...INVALID_UTF8).map((hex) => Uint8Array.from(Buffer.from(hex, 'hex'))),
      ),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: kind('noise'), length: fc.integer({ min: MAX_BODY_BYTES - 4, max: 5_000 }) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: kind('json'),
      value: fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.object().map((value) => ({ ...value, type: 'recipe.created' })),
      ),
    }),
    weight: 2,
  },
);
const batch = fc.record({
  hostile: fc.array(fc.record({ body, properties, routingKey: fc.constantFrom(...BINDINGS) }), {
    minLength: 5,
    maxLength: 20,
  }),
  /** Where the valid neighbours go, each a position among the hostile messages. */
  neighbours: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});

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

/** What should become of a message: applied (the event id), parked (the reason), or either. */
interface Expected {
  applied?: string;
  parked?: RegExp;
}

/**
 * The consumer's documented contract for one body. Headers only matter when the handler
 * fails: a forged retry record (`x-death` naming the retry queue) may get a message parked
 * early, never lost.
 */
function expectedFate(body: Buffer, forged: boolean): Expected {
  if (body.length > MAX_BODY_BYTES) return { parked: /^too-large$/ };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return { parked: /^malformed-json$/ };
  }
  if (!BINDINGS.includes((parsed as { type?: unknown } | null)?.type as EventType)) return { parked: /^unknown-type$/ };
  let event: ValidEvent;
  try {
    event = validateEvent(parsed);
  } catch {
    return { parked: /^contract-violation$/ };
  }
  const applied = event.id.toLowerCase();
  const failed = forged ? /^failed \d+ times$/ : /^failed 3 times$/;
  const verdict = verdictOf(event);
  if (verdict === 'poison') return { parked: /^poison$/ };
  if (verdict === 'fail-always') return { parked: failed };
  return verdict === 'fail-twice' && forged ? { applied, parked: failed } : { applied };
}

function verdictOf(event: ValidEvent): Verdict | undefined {
  const title = (event.data as { title?: unknown }).title;
  return typeof title === 'string' && title.startsWith('fuzz:') ? (title.slice(5) as Verdict) : undefined;
}

interface Planned {
  label: string;
  content: Buffer;
  routingKey: string;
  options: Options.Publish;
  expected: Expected;
}

type Batch = typeof batch extends fc.Arbitrary<infer Value> ? Value : never;

function plan(generated: Batch, topology: ConsumerTopology): Planned[] {
  const planned = generated.hostile.map(({ body: spec, properties: generatedProperties, routingKey }): Planned => {
    const bytes = content(spec);
    const { headers: generatedHeaders, ...rest } = generatedProperties;
    const label = spec.kind === 'envelope' ? `envelope/${spec.mutation.op}/${spec.verdict}` : spec.kind;
    const options = {
      ...rest,
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
    const options = { messageId: event.id, contentType: 'application/json', persistent: true };
    const neighbour = { label: 'neighbour', routingKey: event.type, options, expected: { applied: event.id } };
    planned.splice(position % (planned.length + 1), 0, { ...neighbour, content: Buffer.from(JSON.stringify(event)) });
  }
  return planned;
}

let database: TestDatabase;
let pool: pg.Pool;
const unhandled: string[] = [];
const noteUnhandled = (error: unknown) => unhandled.push(String(error));
/** Handler calls per event id, for events whose title asks to fail twice. */
const calls = new Map<string, number>();
/** The batch being run: the time limit can end `fc.assert` while one is still cleaning up. */
let inFlight: Promise<void> | undefined;

beforeAll(async () => {
  database = await createTestDatabase('comments');
  pool = new pg.Pool({ connectionString: database.url });
  await pool.query('CREATE TABLE applied (event_id uuid)');
  process.on('unhandledRejection', noteUnhandled);
  process.on('uncaughtException', noteUnhandled);
});

afterAll(async () => {
  await inFlight?.catch(() => undefined);
  process.off('unhandledRejection', noteUnhandled);
  process.off('uncaughtException', noteUnhandled);
  await pool.end();
  await database.drop();
});

type Tx = Parameters<Parameters<ReturnType<typeof pgTransactions>>[0]>[0];

async function handle(event: ValidEvent, tx: Tx): Promise<void> {
  const call = (calls.get(event.id) ?? 0) + 1;
  calls.set(event.id, call);
  const verdict = verdictOf(event);
  if (verdict === 'poison') throw new PoisonMessage('the recipe breaks an invariant');
  if (verdict === 'fail-always' || (verdict === 'fail-twice' && call <= 2)) throw new Error(`a bug (call ${call})`);
  await tx.query('INSERT INTO applied VALUES ($1)', [event.id]);
}

interface Run {
  topology: ConsumerTopology;
  consumer: InboxConsumer<Tx>;
  test: Awaited<ReturnType<typeof openTestChannel>>;
  logs: Array<{ msg: string; err?: { message?: string } }>;
  connects: number;
}

/** A consumer on its own broker prefix, like a service would start it, removed with all it declared afterwards. */
async function withConsumer(work: (run: Run) => Promise<void>): Promise<void> {
  const prefix = uniqueAmqpPrefix();
  const topology = consumerTopology({
    prefix,
    consumer: 'comments',
    producer: 'recipes',
    bindings: BINDINGS,
    deliveryLimit: 5,
  });
  const logs: Run['logs'] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const broker = new Broker({ url: testAmqpUrl(), logger });
  const consumer = new InboxConsumer({
    ...{ broker, topology, transaction: pgTransactions(pool), handle, logger, failpoint: noFailpoints },
    ...{ maxAttempts: 3, retryBaseDelayMs: 20, retryMaxDelayMs: 100, maxBodyBytes: MAX_BODY_BYTES },
  });
  const run: Run = { topology, consumer, test: await openTestChannel(), logs, connects: 0 };
  broker.onConnect(() => (run.connects += 1));
  try {
    await broker.start();
    await waitFor(() => (consumer.running ? true : undefined), { what: 'the consumer to start' });
    await work(run);
  } finally {
    await consumer.stop();
    await broker.close();
    await run.test.close();
    await deleteBrokerTopology(prefix);
  }
}

/** Publishes what amqplib can encode (a header table over its 64 KiB buffer never reaches the broker). */
async function publish(run: Run, planned: Planned[]): Promise<Planned[]> {
  const published: Planned[] = [];
  for (const message of planned) {
    try {
      run.test.channel.publish(run.topology.exchange, message.routingKey, message.content, message.options);
      published.push(message);
    } catch (error) {
      if (!/exceeds the \d+ byte encoding buffer/.test(String(error))) throw error;
    }
  }
  await run.test.channel.waitForConfirms();
  return published;
}

async function appliedCounts(ids: string[]): Promise<Map<string, number>> {
  const { rows } = await pool.query<{ id: string; n: number }>(
    'SELECT event_id::text AS id, count(*)::int AS n FROM applied WHERE event_id = ANY($1::uuid[]) GROUP BY 1',
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row.n]));
}

const bodyKey = (bytes: number, body: string) => `${bytes}:${createHash('sha256').update(body).digest('hex')}`;

/** Matches each published message with where it ended up; describes every message that is not where it should be. */
async function misplaced(run: Run, published: Planned[]): Promise<string[]> {
  const applied = await appliedCounts(published.flatMap(({ expected }) => expected.applied ?? []));
  const parked = new Map<string, string[]>();
  const listing = await listParked(testAmqpUrl(), run.topology, {
    limit: published.length + 10,
    maxBodyBytes: 1 << 17,
  });
  for (const message of listing) {
    const key = bodyKey(message.bodyBytes, message.body);
    parked.set(key, [...(parked.get(key) ?? []), message.reason]);
  }
  const problems = published.flatMap(({ label, content: bytes, expected }, index) => {
    const times = expected.applied ? (applied.get(expected.applied) ?? 0) : 0;
    const reason = times === 0 ? parked.get(bodyKey(bytes.length, bytes.toString('utf8')))?.shift() : undefined;
    const fine = reason === undefined ? times === 1 && expected.applied : expected.parked?.test(reason);
    if (fine) return [];
    const wanted = [expected.applied && 'applied once', expected.parked && `parked ${expected.parked}`];
    const got = `${reason === undefined ? 'not parked' : `parked "${reason}"`}, applied ${times}x`;
    return [`#${index} ${label}: wanted ${wanted.filter(Boolean).join(' or ')}, got ${got}`];
  });
  const extra = [...parked.values()].flat().map((reason) => `a parked message nobody expected: ${reason}`);
  return [...problems, ...extra];
}

async function allAccountedFor(run: Run, published: Planned[]): Promise<boolean> {
  const applied = await appliedCounts(published.flatMap(({ expected }) => expected.applied ?? []));
  const parked = await countParked(testAmqpUrl(), run.topology);
  return [...applied.values()].reduce((sum, n) => sum + n, parked) >= published.length;
}

/** Waits for every message to be applied or parked; once something went wrong, only briefly, for the rest to land. */
async function settle(run: Run, published: Planned[]): Promise<void> {
  let wrongSince: number | undefined;
  const wrong = () => unhandled.length > 0 || run.connects > 1 || run.logs.some(({ msg }) => !EXPECTED_LOGS.has(msg));
  const probe = async () => {
    if (await allAccountedFor(run, published)) return true;
    wrongSince ??= wrong() ? Date.now() : undefined;
    return wrongSince !== undefined && Date.now() - wrongSince > 500 ? true : undefined;
  };
  await waitFor(probe, { timeoutMs: SETTLE_MS, what: 'every message applied or parked' }).catch(() => undefined);
}

/** Everything an operator would notice about one batch, once it has settled or its deadline has passed. */
async function observe(run: Run, published: Planned[]) {
  await settle(run, published);
  const [work, retry] = await Promise.all(
    [run.topology.workQueue, run.topology.retryQueue].map(
      async (queue) => (await run.test.channel.checkQueue(queue)).messageCount,
    ),
  );
  return {
    misplaced: await misplaced(run, published),
    unexpectedLogs: run.logs
      .filter(({ msg }) => !EXPECTED_LOGS.has(msg))
      .map(({ msg, err }) => `${msg}: ${err?.message}`),
    unhandled: [...unhandled],
    connects: run.connects,
    running: run.consumer.running,
    queued: { work, retry },
  };
}

describe('a consumer given generated hostile messages', () => {
  it(
    'keeps its connection, applies every valid event once and parks the rest with a reason',
    { timeout: 120_000 },
    async () => {
      const property = fc.asyncProperty(batch, async (generated) => {
        unhandled.length = 0;
        inFlight = withConsumer(async (run) => {
          const published = await publish(run, plan(generated, run.topology));
          expect(await observe(run, published)).toEqual({
            misplaced: [],
            unexpectedLogs: [],
            unhandled: [],
            connects: 1,
            running: true,
            queued: { work: 0, retry: 0 },
          });
        });
        await inFlight;
      });
      const plugins = [fc.interruptAfterTimeLimit(45_000, { failOnInterrupt: true })];
      await fc.assert(property, {
        seed: SEED,
        numRuns: RUNS,
        plugins,
        ...(PATH && { path: PATH, endOnFailure: true }),
      });
    },
  );
});
