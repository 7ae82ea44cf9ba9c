import fc from 'fast-check';

/** A long value in a generated case, kept short in a printed counterexample; `materialize` expands it. */
export class Big {
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

/** Generated AMQP field values, for header tables: odd strings, typed numbers, bytes, nesting and `Big` values. */
export const text = fc.oneof(
  fc.constantFrom('', 'abc', '3', '-1', '1e3', 'NaN', '\u0000', 'a\u0000b', '\ud800', 'x\udfffy'),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
/**
 * AMQP doubles. Fractions past 2^50 and huge negatives decode to numbers amqplib cannot encode
 * again. NaN and ±Infinity are left out: RabbitMQ 3.10 closes the publisher's connection on them.
 */
export const double = fc
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
export const smallLeaf = fc.oneof(
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
export const { value: fieldValue } = fc.letrec<{ value: unknown; list: unknown[]; table: Record<string, unknown> }>(
  (tie) => ({
    value: fc.oneof({ maxDepth: 3 }, leaf, tie('list'), tie('table')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    table: fc.dictionary(
      fc.string({ maxLength: 12 }).filter((key) => key !== '!'),
      tie('value'),
      { maxKeys: 4 },
    ),
  }),
);
