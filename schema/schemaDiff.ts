import { parseArgs } from 'node:util';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import type { GraphQLSchema } from 'graphql';
// graphql's CommonJS files, the copy GraphQL Inspector loads: under Vitest a bare 'graphql' import
// resolves to the ESM build, and two copies of graphql refuse each other's schemas.
import { parse } from 'graphql/language/parser.js';
import { buildASTSchema } from 'graphql/utilities/buildASTSchema.js';

/**
 * What a schema change means for its consumers, as GraphQL Inspector classifies it:
 * `breaking` fails existing operations, `dangerous` may change what they see (a new enum value,
 * a changed default), `safe` cannot break anyone.
 */
export type Severity = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  severity: Severity;
  /** GraphQL Inspector's change type, e.g. `FIELD_REMOVED`. */
  type: string;
  message: string;
  /** The schema coordinate, e.g. `Recipe.title`. */
  path?: string;
}

export interface FileChanges {
  file: string;
  /** Set when the file exists on one side only. */
  note?: 'added' | 'removed';
  changes: SchemaChange[];
}

const SEVERITY: Record<CriticalityLevel, Severity> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};
const ORDER: Severity[] = ['breaking', 'dangerous', 'safe'];

/** Subgraph SDL uses federation directives it does not define, so the SDL is taken as written. */
function toSchema(sdl: string | null): GraphQLSchema | null {
  return sdl === null ? null : buildASTSchema(parse(sdl), { assumeValidSDL: true });
}

function toChange(change: Change): SchemaChange {
  return {
    severity: SEVERITY[change.criticality.level],
    type: String(change.type),
    message: change.message,
    ...(change.path !== undefined && { path: change.path }),
  };
}

/**
 * The changes from one version of an SDL file to another, breaking first. `null` stands for a
 * file that does not exist on that side: everything it held was removed, or is new.
 */
export async function compareSchemas(oldSdl: string | null, newSdl: string | null): Promise<SchemaChange[]> {
  const changes = (await diff(toSchema(oldSdl), toSchema(newSdl))).map(toChange);
  return changes.sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
}

export function countBySeverity(files: FileChanges[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { breaking: 0, dangerous: 0, safe: 0 };
  for (const { changes } of files) for (const change of changes) counts[change.severity] += 1;
  return counts;
}

const LABEL: Record<Severity, string> = { breaking: '✖ BREAKING ', dangerous: '! DANGEROUS', safe: '✓ SAFE     ' };

/** The report the CLI prints: per file, every change with its severity, then a verdict. */
export function formatReport(base: string, files: FileChanges[], allowBreaking: boolean): string {
  const lines = [`Schema changes against ${base}:`];
  for (const { file, note, changes } of files) {
    const suffix = note ? ` (${note})` : '';
    lines.push(changes.length === 0 ? `${file}${suffix}: no changes` : `${file}${suffix}:`);
    for (const change of changes) lines.push(`  ${LABEL[change.severity]}  ${change.message}`);
  }
  const counts = countBySeverity(files);
  lines.push('', `${counts.breaking} breaking, ${counts.dangerous} dangerous, ${counts.safe} safe.`);
  if (counts.breaking > 0) {
    lines.push(
      allowBreaking
        ? 'Breaking changes accepted (--allow-breaking): tell client teams before you ship them.'
        : 'Breaking changes fail this check. If they are intended, run again with --allow-breaking.',
    );
  }
  return lines.join('\n');
}

/** 1 when there are breaking changes nobody said were intended, else 0. */
export function exitCodeFor(files: FileChanges[], allowBreaking: boolean): number {
  return countBySeverity(files).breaking > 0 && !allowBreaking ? 1 : 0;
}

export const USAGE = 'usage: npm run schema:diff -- --base <git ref> [--allow-breaking]';

/** The CLI's arguments; throws with the usage line when they do not make sense. */
export function parseDiffArgs(argv: string[]): { base: string; allowBreaking: boolean } {
  let values: { base?: string; 'allow-breaking'?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { base: { type: 'string' }, 'allow-breaking': { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`, { cause: error });
  }
  if (!values.base) throw new Error(`--base is required\n${USAGE}`);
  return { base: values.base, allowBreaking: values['allow-breaking'] ?? false };
}
