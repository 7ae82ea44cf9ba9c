import { GraphiQL, type GraphiQLProps } from 'graphiql';
import { useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'graphiql/style.css';
import { requestHeaders } from './requestHeaders.js';
import { isSubscription, subscribeOverWebSocket, webSocketUrl } from './subscriptions.js';
import { initialUser, UserPicker, type DemoUser } from './userPicker.js';
import './workers.js';

/** What the gateway writes into the page (see gateway/src/ide/idePage.ts). */
interface IdeConfig {
  endpoint: string;
  tabs: Array<{ query: string; variables: string; headers: string }>;
  /** Stands for a recipe id in the examples' variables until one is known. */
  recipeIdPlaceholder: string;
  /** Only when the gateway trusts the development key: the "Signed in as" picker's users. */
  demoUsers?: DemoUser[];
}

function readConfig(): IdeConfig {
  const element = document.getElementById('potluck-ide-config');
  return JSON.parse(element?.textContent ?? '{}') as IdeConfig;
}

/**
 * Plain fetch to the gateway, as the picked user unless the headers editor says otherwise;
 * subscriptions over a WebSocket to the same endpoint, with the same Authorization.
 */
function createFetcher(endpoint: string, token: () => string | undefined): GraphiQLProps['fetcher'] {
  return async (params, options) => {
    const headers = requestHeaders(token(), options?.headers);
    if (isSubscription(params)) {
      return subscribeOverWebSocket(webSocketUrl(endpoint, location.href), headers.authorization, params);
    }
    const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify(params) });
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

interface IdeProps {
  config: IdeConfig;
  tabs: IdeConfig['tabs'];
  firstVisit: boolean;
}

/** GraphiQL, with a "Signed in as" picker in its header when the gateway offers demo users. */
function Ide({ config, tabs, firstVisit }: IdeProps) {
  const users = config.demoUsers ?? [];
  const tokenOf = (user: string) => users.find((candidate) => candidate.user === user)?.token;
  const [picked, setPicked] = useState(() => initialUser(users));
  // Read by the fetcher at each request; a new fetcher would make GraphiQL fetch the schema again.
  const token = useRef(tokenOf(picked));
  const fetcher = useMemo(() => createFetcher(config.endpoint, () => token.current), [config.endpoint]);
  const pick = (user: string) => {
    token.current = tokenOf(user);
    setPicked(user);
  };
  return (
    <GraphiQL
      fetcher={fetcher}
      defaultTabs={tabs}
      {...firstVisitEditors(tabs, firstVisit)}
      defaultEditorToolsVisibility="variables"
      isHeadersEditorEnabled
      shouldPersistHeaders={false}
    >
      {users.length > 0 && (
        <GraphiQL.Logo>
          <UserPicker users={users} value={picked} onChange={pick} />
        </GraphiQL.Logo>
      )}
    </GraphiQL>
  );
}

const config = readConfig();
const root = document.getElementById('graphiql');
if (root) {
  const firstVisit = localStorage.getItem('graphiql:tabState') === null;
  const tabs = firstVisit ? await withNewestRecipeId(config) : config.tabs;
  createRoot(root).render(<Ide config={config} tabs={tabs} firstVisit={firstVisit} />);
}
