import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './workers.js';

/** What the gateway writes into the page (see gateway/src/ide/idePage.ts). */
interface IdeConfig {
  endpoint: string;
  tabs: Array<{ query: string; variables: string; headers: string }>;
  /** Stands for a recipe id in the examples' variables until one is known. */
  recipeIdPlaceholder: string;
}

function readConfig(): IdeConfig {
  const element = document.getElementById('potluck-ide-config');
  return JSON.parse(element?.textContent ?? '{}') as IdeConfig;
}

/** Plain fetch to the gateway: JSON over POST, so Apollo's CSRF prevention lets it through. */
function createFetcher(endpoint: string): GraphiQLProps['fetcher'] {
  return async (params, options) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        accept: 'application/graphql-response+json, application/json',
        'content-type': 'application/json',
        ...options?.headers,
      },
      body: JSON.stringify(params),
    });
    return response.json();
  };
}

const NEWEST_RECIPE = '{ recipes(first: 1, orderBy: NEWEST) { edges { node { id } } } }';

/**
 * Makes the examples that need a recipe id runnable as they open: the newest recipe's id
 * replaces the placeholder. With no recipe yet, or no answer, the placeholder stays.
 */
async function withNewestRecipeId(config: IdeConfig): Promise<IdeConfig['tabs']> {
  try {
    const response = await fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: NEWEST_RECIPE }),
      // The page renders after this: a slow recipes subgraph must not leave it blank.
      signal: AbortSignal.timeout(1500),
    });
    const body = (await response.json()) as { data?: { recipes?: { edges: Array<{ node: { id: string } }> } } };
    const id = body.data?.recipes?.edges[0]?.node.id;
    if (!id) return config.tabs;
    const placeholder = JSON.stringify(config.recipeIdPlaceholder);
    return config.tabs.map((tab) => ({ ...tab, variables: tab.variables.replaceAll(placeholder, JSON.stringify(id)) }));
  } catch {
    return config.tabs;
  }
}

/**
 * GraphiQL fills the editors of a fresh session from `initial*` props, not from the first
 * default tab, so the first tab would open with empty variables. On a first visit (no
 * saved tabs) the first example is passed explicitly; later visits restore what was saved.
 */
function firstVisitEditors(tabs: IdeConfig['tabs'], firstVisit: boolean) {
  const first = tabs[0];
  if (!first || !firstVisit) return {};
  return { initialQuery: first.query, initialVariables: first.variables, initialHeaders: first.headers };
}

const config = readConfig();
const root = document.getElementById('graphiql');
if (root) {
  const firstVisit = localStorage.getItem('graphiql:tabState') === null;
  const tabs = firstVisit ? await withNewestRecipeId(config) : config.tabs;
  createRoot(root).render(
    <GraphiQL
      fetcher={createFetcher(config.endpoint)}
      defaultTabs={tabs}
      {...firstVisitEditors(tabs, firstVisit)}
      defaultEditorToolsVisibility="variables"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    />,
  );
}
