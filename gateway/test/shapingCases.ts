import { buildSchema, type Operation, type SelectionSet } from '@apollo/federation-internals';

// Random operations, and random half-broken data for them, to compare two result shapings.

export const SHAPING_SDL = `
  interface Node { id: ID! }
  interface Named { name: String }
  type Query {
    node: Node, nodes: [Node], items: [Item!], search: [Result!]!, count: Int!, me: Person!,
    grid: [[Item!]]!, s: String, e: Status, j: JSON, u: Result
  }
  type Mutation { rename: Item!, bump: Int, many: [Item] }
  type Item implements Node & Named {
    id: ID!, name: String, tags: [String!], n: Int!, owner: Person, children: [Item!]!, status: Status!, best: Result
  }
  type Person implements Node & Named { id: ID!, name: String, friends: [Person], best: Result, items: [Item!] }
  union Result = Item | Person
  enum Status { OPEN CLOSED }
  scalar JSON
`;

export const shapingSchema = buildSchema(SHAPING_SDL);

export type Random = () => number;

/** xorshift32: one fast-check integer decides a whole operation or response. */
export function seeded(seed: number): Random {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const COMPOSITES = ['Query', 'Mutation', 'Item', 'Person', 'Node', 'Named', 'Result'];
const MEMBERS: Record<string, string[]> = {
  Node: ['Item', 'Person'],
  Named: ['Item', 'Person'],
  Result: ['Item', 'Person'],
  Item: ['Item'],
  Person: ['Person'],
  Query: ['Query'],
  Mutation: ['Mutation'],
};
const namedTypeOf = (type: string) => type.replace(/[[\]!]/g, '');

const FIELDS: Record<string, Array<{ name: string; type: string }>> = { Result: [] };
for (const name of ['Query', 'Mutation', 'Item', 'Person', 'Node', 'Named']) {
  const type = shapingSchema.type(name) as unknown as { fields(): Array<{ name: string; type: object }> };
  FIELDS[name] = type
    .fields()
    .filter((field) => !field.name.startsWith('__'))
    .map((field) => ({ name: field.name, type: String(field.type) }));
}

/** `@skip` or `@include`, one time in four, on a literal or on one of the operation's variables. */
function directive(random: Random): string {
  if (random() < 0.75) return '';
  const name = random() < 0.5 ? 'skip' : 'include';
  const condition = random() < 0.3 ? String(random() < 0.5) : pick(random, ['$a', '$b', '$c', '$d']);
  return ` @${name}(if: ${condition})`;
}

function alias(random: Random, field: string): string {
  const roll = random();
  if (roll < 0.2) return `${field}_a: `;
  if (roll < 0.23) return field === 'name' ? 'constructor: ' : `toString_${field}: `;
  return '';
}

/**
 * A selection set on `type`: fields under aliases (`constructor` among them), `__typename`,
 * inline fragments on its own and related types, named fragments (reused across the
 * operation), introspection at the root, each maybe under `@skip`/`@include`.
 */
function selections(random: Random, type: string, depth: number, fragments: Map<string, string>): string {
  const out: string[] = [];
  const count = 1 + Math.floor(random() * 4);
  const isRoot = type === 'Query' || type === 'Mutation';
  for (let index = 0; index < count; index++) {
    const roll = random();
    if (roll < 0.12) {
      out.push(`${pick(random, ['t1: ', 'id: ', '', ''])}__typename${directive(random)}`);
    } else if (roll < 0.3 && depth < 4) {
      const conditions = isRoot ? [type] : [...MEMBERS[type]!, 'Node', 'Named', 'Result', 'Item', 'Person'];
      const condition = random() < 0.2 ? '' : pick(random, conditions);
      const on = condition ? ` on ${condition}` : '';
      out.push(`...${on}${directive(random)} { ${selections(random, condition || type, depth + 1, fragments)} }`);
    } else if (roll < 0.4 && depth < 4 && !isRoot) {
      const reusable = [...fragments.keys()].filter((name) => name.startsWith(`F_${type}_`) && fragments.get(name));
      let name = reusable.length > 0 && random() < 0.6 ? pick(random, reusable) : undefined;
      if (!name) {
        name = `F_${type}_${fragments.size}`;
        fragments.set(name, '');
        const on = random() < 0.15 ? ' @include(if: $a)' : '';
        fragments.set(name, `fragment ${name} on ${type}${on} { ${selections(random, type, depth + 1, fragments)} }`);
      }
      out.push(`...${name}${directive(random)}`);
    } else if (roll < 0.45 && type === 'Query' && depth === 0) {
      const introspection = pick(random, ['__type(name: "Item")', 'tt: __type(name: "Person")', '__schema']);
      const selection = introspection === '__schema' ? '{ queryType { name } }' : '{ name }';
      out.push(`${introspection}${directive(random)} ${selection}`);
    } else {
      const fields = FIELDS[type]!;
      if (fields.length === 0) {
        out.push('__typename');
        continue;
      }
      const field = pick(random, fields);
      const named = namedTypeOf(field.type);
      if (!COMPOSITES.includes(named)) out.push(`${alias(random, field.name)}${field.name}${directive(random)}`);
      else if (depth < 4) {
        out.push(
          `${alias(random, field.name)}${field.name}${directive(random)} { ${selections(random, named, depth + 1, fragments)} }`,
        );
      }
    }
  }
  return out.length > 0 ? out.join(' ') : '__typename';
}

/** A query or mutation with four Boolean variables (defaulted or not, nullable or not) its directives use. */
export function randomOperation(random: Random): string {
  const fragments = new Map<string, string>();
  const root = random() < 0.2 ? 'Mutation' : 'Query';
  const body = selections(random, root, 0, fragments);
  const variables = `($a: Boolean${random() < 0.5 ? ' = true' : ''}, $b: Boolean = false, $c: Boolean, $d: Boolean!)`;
  return `${root === 'Mutation' ? 'mutation' : 'query'} Op${variables} { ${body} } ${[...fragments.values()].join(' ')}`;
}

function randomValue(random: Random, type: string, depth: number, selectionSet: SelectionSet | undefined): unknown {
  const roll = random();
  if (roll < 0.06) return null;
  if (roll < 0.09) return pick(random, ['str', 3, true, {}, [], 'OPEN', 1.5]);
  if (type.endsWith('!')) return randomValue(random, type.slice(0, -1), depth, selectionSet);
  if (type.startsWith('[')) {
    const length = Math.floor(random() * 3);
    return Array.from({ length }, () => randomValue(random, type.slice(1, -1), depth + 1, selectionSet));
  }
  const named = namedTypeOf(type);
  if (named === 'Int') return Math.floor(random() * 10);
  if (named === 'String' || named === 'ID') return `v${Math.floor(random() * 9)}`;
  if (named === 'Status') return pick(random, ['OPEN', 'CLOSED', 'BAD']);
  if (named === 'JSON') return pick(random, [{ a: 1 }, [1], 'x', null]);
  if (named === 'Boolean') return random() < 0.5;
  return randomObject(random, named, depth + 1, selectionSet);
}

/**
 * Data for a selection set as merged fetches could hold it: most fields there, some missing,
 * null or of the wrong type, `__typename` usually right and sometimes wrong or absent, and
 * now and then a field nobody asked for (`constructor`, `toString` among them).
 */
export function randomObject(
  random: Random,
  type: string,
  depth: number,
  selectionSet: SelectionSet | undefined,
): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  const runtime = pick(random, MEMBERS[type] ?? [type]);
  if (random() < 0.8) {
    object.__typename =
      random() < 0.85 ? runtime : pick(random, ['Node', 'Result', 'Status', 'Nope', '', 'Query', 7, null]);
  }
  for (const selection of selectionSet?.selections() ?? []) {
    if (selection.kind === 'FragmentSelection') {
      const condition = selection.element.typeCondition?.name ?? type;
      const part = randomObject(random, condition, depth, selection.selectionSet);
      for (const [key, value] of Object.entries(part))
        if (key !== '__typename' && !(key in object)) object[key] = value;
      continue;
    }
    const field = selection.element;
    const responseName = field.responseName();
    if (field.name === '__typename') {
      if (random() < 0.3) object[responseName] = random() < 0.8 ? runtime : pick(random, ['Nope', 'Node', 5]);
    } else if (!field.definition.isSchemaIntrospectionField() && random() >= 0.05) {
      object[responseName] =
        depth > 6 ? null : randomValue(random, String(field.definition.type), depth, selection.selectionSet);
    }
  }
  if (random() < 0.1) object[pick(random, ['extra', 'toString', 'hasOwnProperty', 'constructor'])] = 'x';
  return object;
}

/** Data for a whole operation, its root's `__typename` sometimes removed. */
export function randomData(random: Random, operation: Operation): Record<string, unknown> {
  const data = randomObject(
    random,
    operation.rootKind === 'mutation' ? 'Mutation' : 'Query',
    0,
    operation.selectionSet,
  );
  if (random() < 0.1) delete data.__typename;
  return data;
}
