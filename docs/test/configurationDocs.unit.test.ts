import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { subgraphEnvSchema } from '@potluck/service';
import { telemetryEnvSchema } from '@potluck/telemetry';
import { gatewayEnvSchema } from '../../gateway/src/config.js';
import { seedEnvSchema } from '../../scripts/seedConfig.js';
import { stackEnvSchema } from '../../scripts/stackConfig.js';
import { commentsEnvSchema } from '../../subgraphs/comments/src/config.js';
import { recipesEnvSchema } from '../../subgraphs/recipes/src/config.js';

/**
 * docs/configuration.md is the one list of every variable. Its tables must name exactly the
 * variables each process's schema parses: a new variable without a row fails here, and so
 * does a row for a variable nothing reads any more.
 */
const readDoc = (file: string) => readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
const CONFIGURATION = readDoc('configuration.md');

interface Section {
  /** Each variable named in the first cell of a table row, with that whole row. */
  rows: Map<string, string>;
  /** Variables with more than one row. */
  repeated: string[];
}

/** The table rows under the `## <heading>` section, up to the next `## ` heading. */
function tableRows(markdown: string, heading: string): Section {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith('## ') && line.slice(3).trim() === heading);
  if (start < 0) throw new Error(`no section "## ${heading}"`);
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const section: Section = { rows: new Map(), repeated: [] };
  let headerSeen = false;
  for (const line of lines.slice(start + 1, next < 0 ? undefined : next)) {
    if (!line.startsWith('|')) {
      headerSeen = false;
      continue;
    }
    const isHeader = !headerSeen;
    headerSeen = true;
    if (isHeader || /^\|[\s:|-]+\|$/.test(line)) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) {
      if (section.rows.has(name!)) section.repeated.push(name!);
      section.rows.set(name!, line);
    }
  }
  return section;
}

function expectRowsFor(heading: string, variables: string[]): Section {
  const section = tableRows(CONFIGURATION, heading);
  const documented = [...section.rows.keys()];
  expect(
    {
      'variables without a row': variables.filter((name) => !section.rows.has(name)).sort(),
      'rows for variables no schema has': documented.filter((name) => !variables.includes(name)).sort(),
      'variables with two rows': section.repeated,
    },
    `docs/configuration.md, "## ${heading}"`,
  ).toEqual({ 'variables without a row': [], 'rows for variables no schema has': [], 'variables with two rows': [] });
  return section;
}

describe('reading the tables of docs/configuration.md', () => {
  const sample = [
    '## First',
    '| Variable | Default |',
    '| -------- | ------- |',
    '| `A_B` | `1` |',
    '| `C`, `D_2` | mentions `E` |',
    '',
    'Text naming `F`.',
    '',
    '| Other table | |',
    '| --- | --- |',
    '| `G` | |',
    '| `A_B` | again |',
    '## Second',
    '| Variable | |',
    '| --- | --- |',
    '| `H` | |',
  ].join('\n');

  it('takes the variables of every first cell of a section, but not headers, prose, other columns or sections', () => {
    const section = tableRows(sample, 'First');
    expect([...section.rows.keys()]).toEqual(['A_B', 'C', 'D_2', 'G']);
    expect(section.repeated).toEqual(['A_B']);
    expect([...tableRows(sample, 'Second').rows.keys()]).toEqual(['H']);
  });

  it('refuses a section that is not there', () => {
    expect(() => tableRows(sample, 'Third')).toThrow('no section "## Third"');
  });
});

describe('docs/configuration.md lists every variable each process reads, and no other', () => {
  it('npm start and npm run migrate (scripts/stackConfig.ts)', () => {
    expectRowsFor('`npm start` and `npm run migrate`', Object.keys(stackEnvSchema.shape));
  });

  it('each subgraph (subgraphEnvSchema and each subgraph’s own additions), marking what only one reads', () => {
    const shared = Object.keys(subgraphEnvSchema(4001).shape);
    const own: Record<string, string[]> = {
      recipes: Object.keys(recipesEnvSchema.shape).filter((name) => !shared.includes(name)),
      comments: Object.keys(commentsEnvSchema.shape).filter((name) => !shared.includes(name)),
    };
    const section = expectRowsFor('Each subgraph', [...new Set([...shared, ...Object.values(own).flat()])]);
    for (const [name, row] of section.rows) {
      const readBy = Object.keys(own).find((service) => own[service]!.includes(name));
      const marked = /\b(recipes|comments) only\b/.exec(row)?.[1];
      expect(marked, `${name}: its row says which subgraph alone reads it ("<name> only")`).toBe(readBy);
    }
  });

  it('the gateway (gateway/src/config.ts)', () => {
    expectRowsFor('The gateway', Object.keys(gatewayEnvSchema.shape));
  });

  it('traces, in all three services (packages/telemetry)', () => {
    expectRowsFor('Traces (all three services)', Object.keys(telemetryEnvSchema.shape));
  });

  it('npm run seed (scripts/seedConfig.ts)', () => {
    expectRowsFor('`npm run seed`', Object.keys(seedEnvSchema.shape));
  });

  it('Docker Compose: every variable .env.example sets', () => {
    const example = parseEnv(readFileSync(new URL('../../.env.example', import.meta.url), 'utf8'));
    expectRowsFor('Docker Compose (`.env`)', Object.keys(example));
  });
});
