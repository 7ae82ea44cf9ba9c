import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { requestHeaders } from '../ide/requestHeaders.js';
import { demoUsersOf } from '../src/ide/demoUsers.js';
import { exampleTabs, RECIPE_ID_PLACEHOLDER } from '../src/ide/exampleTabs.js';
import { IDE_CONTENT_SECURITY_POLICY, idePage } from '../src/ide/idePage.js';

const operations = ['recipes.graphql', 'comments.graphql', 'subscriptions.graphql'].map((file) =>
  readFileSync(fileURLToPath(new URL(`../../schema/operations/${file}`, import.meta.url)), 'utf8'),
);

const apiSchema = buildSchema(
  readFileSync(fileURLToPath(new URL('../../schema/api.graphql', import.meta.url)), 'utf8'),
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
    expect(filled.sort()).toEqual([
      'AddComment',
      'CommentAdded',
      'Recipe',
      'RecipeSummary',
      'RecipeUpdated',
      'UpdateRecipe',
    ]);
  });

  it('gives every tab one runnable operation with the fragments it spreads, JSON variables and JSON headers', () => {
    for (const tab of tabs) {
      const document = parse(tab.query);
      const operationsOf = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      expect(operationsOf, tab.name).toHaveLength(1);
      expect(validate(apiSchema, document), tab.name).toEqual([]);
      expect(JSON.parse(tab.variables), tab.name).toEqual(expect.any(Object));
      expect(JSON.parse(tab.headers), tab.name).toEqual({});
    }
    expect(JSON.parse(tabs[2]!.variables)).toMatchObject({ input: { title: 'Shakshuka', timeMinutes: 30 } });
  });

  it('keeps each operation as written, after a line that says what it does, then the fragments it spreads', () => {
    expect(tabs[0]!.query).toMatch(/^# .+\nquery RecipesWithComments\(/);
    const recipe = tabs.find((tab) => tab.name === 'Recipe')!.query;
    expect(recipe).toMatch(/\n\nfragment RecipeDetails on Recipe \{/);
    expect(recipe).toMatch(/\n\nfragment CommentSummary on Comment \{/);
    expect(tabs.find((tab) => tab.name === 'DeleteRecipe')!.query).not.toContain('fragment');
  });

  it('comments as the signed-in user: the example names no author', () => {
    const addComment = tabs.find((tab) => tab.name === 'AddComment')!;
    expect(JSON.parse(addComment.variables)).toEqual({
      input: { recipeId: RECIPE_ID_PLACEHOLDER, text: 'Made it twice this week!' },
    });
  });

  it('puts "who am I" right after the five, wherever its file has it', () => {
    const sources = [
      'query Viewer { viewer { id } }\nquery Other { a }',
      'mutation AddComment { a }\nquery RecipesWithComments { a }',
    ];
    const names = exampleTabs(sources).map((tab) => tab.name);
    expect(names).toEqual(['RecipesWithComments', 'AddComment', 'Viewer', 'Other']);
    expect(exampleTabs(sources)[2]!.query).toMatch(/^# Who the gateway takes you for.+\nquery Viewer /);
  });
});

/** The JSON config the page hands the browser. */
function configOf(page: string): Record<string, unknown> {
  const json = /<script id="potluck-ide-config" type="application\/json">(.*)<\/script>/.exec(page)?.[1];
  return JSON.parse(json!) as Record<string, unknown>;
}

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

  it('carries no demo user, and no token, unless it is given some', () => {
    for (const demoUsers of [undefined, []]) {
      const plain = idePage({ endpoint: '/graphql', assets: '/ide/', tabs: [], demoUsers });
      expect(configOf(plain)).not.toHaveProperty('demoUsers');
      expect(plain).not.toMatch(/token|eyJ/);
    }
  });

  it('carries the demo users it is given, each with its token and nothing else, as script-safe JSON', () => {
    const ana = { user: 'ana', name: 'Ana', roles: [], token: 'eyJ.ana.sig' };
    const mo = { user: 'mo', name: 'Mo </script><script>alert(1)</script>', roles: ['moderator'], token: 'eyJ.mo.sig' };
    const page = idePage({
      endpoint: '/graphql',
      assets: '/ide/',
      tabs: [],
      demoUsers: [ana, { ...mo, secret: 'not for the page' } as typeof mo],
    });
    expect(configOf(page).demoUsers).toEqual([ana, mo]);
    expect(page).not.toContain('not for the page');
    expect(page).not.toContain('</script><script>');
  });

  it('runs under a policy that allows only the gateway itself', () => {
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(IDE_CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(IDE_CONTENT_SECURITY_POLICY).not.toMatch(/https?:/);
  });
});

describe('requestHeaders (what the IDE sends)', () => {
  it("sends JSON, and the picked user's token as a bearer token", () => {
    expect(requestHeaders('eyJ.ana.sig')).toEqual({
      accept: 'application/graphql-response+json, application/json',
      'content-type': 'application/json',
      authorization: 'Bearer eyJ.ana.sig',
    });
  });

  it("sends no Authorization for an anonymous user, and the headers editor's own, whatever its case, over the picked user's", () => {
    expect(requestHeaders(undefined, { 'x-request-id': 'r-1' })).not.toHaveProperty('authorization');
    expect(requestHeaders('eyJ.ana.sig', { Authorization: 'Bearer mine', 'X-Request-Id': 'r-1' })).toMatchObject({
      authorization: 'Bearer mine',
      'x-request-id': 'r-1',
    });
    expect(Object.keys(requestHeaders('eyJ.ana.sig', { AUTHORIZATION: '' }))).toHaveLength(3);
  });
});

describe('demoUsersOf', () => {
  it('offers no demo user when the gateway trusts a real identity provider', () => {
    expect(demoUsersOf({ settings: { issuer: 'https://id.example.com/', audience: 'potluck' } })).toBeUndefined();
  });
});
