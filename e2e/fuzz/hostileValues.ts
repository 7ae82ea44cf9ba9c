import fc from 'fast-check';
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  type GraphQLInputType,
} from 'graphql';

/** Strings a careless server mishandles: empty, huge, odd unicode, lone surrogates, NUL, markup. */
const nastyString = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202eevil',
    '🍲'.repeat(50),
    '<script>',
    "' OR 1=1 --",
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.nat({ max: 300_000 }).map((length) => 'x'.repeat(length)),
);

/** Numbers at and beyond every boundary: negative, zero, 32-bit and 53-bit overflow, fractions. */
const nastyNumber = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1,
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 53,
    Number.MAX_VALUE,
    1e-300,
    0.5,
    -999_999.99,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Cursors shaped like ours (base64url JSON) around garbage, and plain garbage. */
const nastyCursor = fc.oneof(
  fc.json().map((json) => Buffer.from(json).toString('base64url')),
  fc
    .tuple(
      fc.constantFrom('NEWEST', 'OLDEST', 'TITLE', 'QUICKEST', 'CHEAPEST', 'MOST_COMMENTED', 'COMMENTS'),
      fc.jsonValue(),
      fc.jsonValue(),
    )
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
  fc.constantFrom('%%%', '====', Buffer.from('["NEWEST","0000-01-01T00:00:00.000Z","x"]').toString('base64url')),
);

/** Any JSON value at all, for a variable whose type it ignores. */
const anyJson = fc.oneof(nastyString, nastyNumber, fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));

const decimalLike = fc.oneof(
  nastyNumber,
  fc.constantFrom('12,50', '1e5', '0.001', '999999.99', '1000000', '-0.01', ' 5 ', 'NaN', 'Infinity', '00012.50'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
);

/** Values a scalar accepts and a rule may still refuse: what gets a request past GraphQL to the resolvers. */
function plausibleScalar(name: string, ids: readonly string[]): fc.Arbitrary<unknown> {
  const plausible: Record<string, fc.Arbitrary<unknown>> = {
    ID: fc.oneof(fc.constantFrom(...ids), fc.uuid()),
    String: fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('Soup', 'a')),
    Int: fc.integer({ min: 1, max: 60 }),
    Float: fc.double({ min: 0, max: 100, noNaN: true }),
    Boolean: fc.boolean(),
    Decimal: fc.constantFrom('5.00', '12.5', 7),
    DateTime: fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
  };
  return plausible[name] ?? fc.constant(null);
}

/** Hostile values for a named scalar: mostly of its own kind, sometimes anything. */
function nastyScalar(name: string): fc.Arbitrary<unknown> {
  const own: Record<string, fc.Arbitrary<unknown>> = {
    ID: fc.oneof(nastyString, fc.uuid({ version: [1, 4, 7] }), nastyCursor),
    String: fc.oneof(nastyString, nastyCursor),
    Int: nastyNumber,
    Float: nastyNumber,
    Boolean: anyJson,
    Decimal: decimalLike,
    DateTime: nastyString,
  };
  return fc.oneof({ weight: 4, arbitrary: own[name] ?? anyJson }, { weight: 1, arbitrary: anyJson });
}

/**
 * A value for a GraphQL input type that is plausible everywhere but, now and then, nasty at a
 * leaf or of the wrong shape: so most requests get past GraphQL's own checks and reach the
 * gateway's and the subgraphs' rules and resolvers with one bad value in them.
 */
export function hostileValue(type: GraphQLInputType, ids: readonly string[], depth = 0): fc.Arbitrary<unknown> {
  const nullable = getNullableType(type);
  const shaped = ((): fc.Arbitrary<unknown> => {
    if (isListType(nullable)) {
      return fc.array(hostileValue(nullable.ofType, ids, depth + 1), { maxLength: depth > 1 ? 2 : 120 });
    }
    if (isEnumType(nullable)) {
      const values = fc.constantFrom(...nullable.getValues().map((value) => value.name));
      return fc.oneof({ weight: 6, arbitrary: values }, { weight: 1, arbitrary: nastyString });
    }
    if (isInputObjectType(nullable)) {
      const fields = Object.values(nullable.getFields());
      const record = Object.fromEntries(fields.map((field) => [field.name, hostileValue(field.type, ids, depth + 1)]));
      const required = fields.filter((field) => isNonNullType(field.type)).map((field) => field.name);
      return fc.record(record, { requiredKeys: required });
    }
    return fc.oneof(
      { weight: 5, arbitrary: plausibleScalar(nullable.name, ids) },
      { weight: 2, arbitrary: nastyScalar(nullable.name) },
    );
  })();
  return fc.oneof(
    { weight: 12, arbitrary: shaped },
    { weight: 1, arbitrary: anyJson },
    { weight: 1, arbitrary: fc.constant(null) },
  );
}
