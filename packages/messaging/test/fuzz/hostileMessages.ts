import fc from 'fast-check';
import type { EventType } from '@potluck/messaging';
import { BINDINGS } from '../consumerHarness.js';
import { MAX_BODY_BYTES, type Verdict } from './expectedFate.js';
import { Big, double, fieldValue, smallLeaf, text } from './fieldValues.js';

/** Stand-ins for this batch's queue names inside generated headers (a forged `x-death` names them). */
export const RETRY_QUEUE = '<retry queue>';
export const WORK_QUEUE = '<work queue>';

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

const FIELDS = 'id type schemaVersion occurredAt aggregateId aggregateVersion correlationId data data.id data.title'
  .concat(' data.ingredients data.timeMinutes data.price data.createdAt data.version')
  .split(' ');
const TEXT_FIELDS = 'id type occurredAt aggregateId correlationId data.id data.title data.price'.split(' ');
export const BAD_IDS = ['short', 'long', 'upper', 'bare', 'version0', 'variantC', 'braces', 'fresh', 'text'] as const;
/** Hex: bytes no UTF-8 decoder accepts (overlong, surrogate, past U+10FFFF, truncated), a BOM and a NUL. */
export const INVALID_UTF8 = ['ff', 'feff', 'c0af', 'eda080', 'f4908080', '80', 'c3', 'efbbbf', '00'];

export type Mutation =
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
export type BodySpec =
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
/**
 * Hostile messages (odd bodies, odd headers and properties) for one consumer, and where valid
 * neighbours go among them. Headers are as generated: `plan` turns them into what is sent.
 */
export const batch = fc.record({
  hostile: fc.array(fc.record({ body, properties, routingKey: fc.constantFrom(...BINDINGS) }), {
    minLength: 5,
    maxLength: 20,
  }),
  /** Where the valid neighbours go, each a position among the hostile messages. */
  neighbours: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});

export type Batch = typeof batch extends fc.Arbitrary<infer Value> ? Value : never;
