import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleTabs, RECIPE_ID_PLACEHOLDER } from '../src/ide/exampleTabs.js';
import { IDE_CONTENT_SECURITY_POLICY, idePage } from '../src/ide/idePage.js';

const operations = ['recipes.graphql', 'comments.graphql'].map((file) =>
  readFileSync(fileURLToPath(new URL(`../../schema/operations/${file}`, import.meta.url)), 'utf8'),
);

describe('exampleTabs', () => {
  const tabs = exampleTabs(operations);

  it('opens with list, one recipe, create, update and comment, then the other operations', () => {
    expect(tabs.slice(0, 5).map((tab) => tab.name)).toEqual([
      'RecipesWithComments',
      'Recipe',
      'CreateRecipe',
      'UpdateRecipe',
      'AddComment',
    ]);
    expect(tabs.map((tab) => tab.name)).toEqual(expect.arrayContaining(['DeleteRecipe', 'Comment', 'DeleteComment']));
  });

  it('marks the recipe id the browser fills in with the newest recipe, in every tab that reads or changes one', () => {
    const placeholder = JSON.stringify(RECIPE_ID_PLACEHOLDER);
    const filled = tabs.filter((tab) => tab.variables.includes(placeholder)).map((tab) => tab.name);
    expect(filled.sort()).toEqual(['AddComment', 'Recipe', 'RecipeSummary', 'UpdateRecipe']);
  });

  it('gives every tab one runnable operation, JSON variables and JSON headers', () => {
    for (const tab of tabs) {
      const document = parse(tab.query);
      expect(document.definitions, tab.name).toHaveLength(1);
      expect(JSON.parse(tab.variables), tab.name).toEqual(expect.any(Object));
      expect(JSON.parse(tab.headers), tab.name).toEqual({});
    }
    expect(JSON.parse(tabs[2]!.variables)).toMatchObject({ input: { title: 'Shakshuka', timeMinutes: 30 } });
  });

  it('keeps each operation as written, after a line that says what it does', () => {
    expect(tabs[0]!.query).toMatch(/^# .+\nquery RecipesWithComments\(/);
  });
});

describe('idePage', () => {
  const page = idePage({ endpoint: '/graphql', assets: '/ide/', tabs: exampleTabs(operations) });

  it('names no address outside the gateway', () => {
    expect(page).not.toMatch(/https?:\/\//);
    expect([...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1])).toEqual([
      'data:,',
      '/ide/ide.css',
      '/ide/ide.js',
    ]);
  });

  it('embeds its config as JSON that cannot close the script element', () => {
    const hostile = idePage({
      endpoint: '/graphql',
      assets: '/ide/',
      tabs: [{ name: 'X', query: '</script><script>alert(1)</script>', variables: '{}', headers: '{}' }],
    });
    expect(hostile).not.toContain('</script><script>');
    const json = /<script id="potluck-ide-config" type="application\/json">(.*)<\/script>/.exec(hostile)?.[1];
    expect(JSON.parse(json!).tabs[0].query).toBe('</script><script>alert(1)</script>');
  });

  it('runs under a policy that allows only the gateway itself', () => {
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(IDE_CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });
});
