import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { quoted } from './echo.js';
import { parseTimestamp } from './timestamp.js';

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function parseDateTime(value: unknown): Date {
  const date = parseTimestamp(value);
  if (!date) throw invalid(`DateTime must be an ISO-8601 timestamp in years 1–9999, got ${quoted(value)}`);
  return date;
}

/** A timestamp as an ISO-8601 string with milliseconds and a `Z` offset. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An ISO-8601 timestamp, e.g. "2026-01-31T12:00:00.000Z".',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw invalid(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) throw invalid('DateTime must be an ISO-8601 string');
    return parseDateTime(ast.value);
  },
});

/** Accepts "45", "45.5" or 45.5; hands resolvers a plain decimal string. Range rules belong to each field. */
function parseDecimal(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && DECIMAL_PATTERN.test(value.trim())) return value.trim();
  throw invalid(`Decimal must be a number or a decimal string such as "45.00", got ${quoted(value)}`);
}

/** Prisma's Decimal (decimal.js) and anything else that formats itself exactly. */
function isDecimalLike(value: unknown): value is { toFixed(places: number): string } {
  return typeof value === 'object' && value !== null && typeof (value as { toFixed?: unknown }).toFixed === 'function';
}

/** Money-style decimal: returned as a string with two decimals ("45.00"), accepted as string or number. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'A decimal number with two places, returned as a string ("45.00"); accepted as a string or a number.',
  serialize(value) {
    if (isDecimalLike(value)) return value.toFixed(2);
    return Number(parseDecimal(value)).toFixed(2);
  },
  parseValue: parseDecimal,
  parseLiteral(ast: ValueNode) {
    if (ast.kind === Kind.INT || ast.kind === Kind.FLOAT || ast.kind === Kind.STRING) return parseDecimal(ast.value);
    throw invalid('Decimal must be a number or a decimal string');
  },
});
