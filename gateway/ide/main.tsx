import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import './workers.js';

/** What the gateway writes into the page (see gateway/src/ide/idePage.ts). */
interface IdeConfig {
  endpoint: string;
  tabs: Array<{ query: string; variables: string; headers: string }>;
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

/**
 * GraphiQL fills the editors of a fresh session from `initial*` props, not from the first
 * default tab, so the first tab would open with empty variables. On a first visit (no
 * saved tabs) the first example is passed explicitly; later visits restore what was saved.
 */
function firstVisitEditors(tabs: IdeConfig['tabs']) {
  const first = tabs[0];
  if (!first || localStorage.getItem('graphiql:tabState') !== null) return {};
  return { initialQuery: first.query, initialVariables: first.variables, initialHeaders: first.headers };
}

const config = readConfig();
const root = document.getElementById('graphiql');
if (root) {
  createRoot(root).render(
    <GraphiQL
      fetcher={createFetcher(config.endpoint)}
      defaultTabs={config.tabs}
      {...firstVisitEditors(config.tabs)}
      defaultEditorToolsVisibility="variables"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    />,
  );
}
