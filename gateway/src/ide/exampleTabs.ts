import {
  Kind,
  parse,
  print,
  visit,
  type ASTNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
} from 'graphql';

/** One tab of the IDE: an operation with variables that run as they are. */
export interface ExampleTab {
  name: string;
  query: string;
  variables: string;
  headers: string;
}

interface Example {
  about: string;
  variables: Record<string, unknown>;
}

/** Replaced in the browser by the newest recipe's id when there is one (see gateway/ide/main.tsx). */
export const RECIPE_ID_PLACEHOLDER = 'paste a recipe id from RecipesWithComments';

/** The order the tabs open in, what each says about itself, and variables to start from. */
const EXAMPLES: Record<string, Example> = {
  RecipesWithComments: {
    about: 'The newest recipes with their latest comments: one request, two subgraphs.',
    variables: { first: 10, orderBy: 'NEWEST', commentsFirst: 5 },
  },
  Recipe: { about: 'One recipe with all its fields and comments.', variables: { id: RECIPE_ID_PLACEHOLDER } },
  CreateRecipe: {
    about: 'Creates a recipe as the signed-in user, its author (price is a decimal string or a number).',
    variables: {
      input: {
        title: 'Shakshuka',
        description: 'Eggs poached in a spiced tomato and pepper sauce.',
        ingredients: ['eggs', 'tomatoes', 'red peppers', 'cumin'],
        timeMinutes: 30,
        price: '12.50',
      },
    },
  },
  UpdateRecipe: {
    about: 'Changes only the fields given; only its author or a moderator may.',
    variables: { id: RECIPE_ID_PLACEHOLDER, input: { timeMinutes: 25 } },
  },
  AddComment: {
    about: 'Comments on a recipe as the signed-in user.',
    variables: { input: { recipeId: RECIPE_ID_PLACEHOLDER, text: 'Made it twice this week!' } },
  },
  Viewer: {
    about: 'Who the gateway takes you for: the user picked at the top right, or your Authorization header.',
    variables: {},
  },
  RecipeSummary: {
    about: 'One recipe without its comments: only the recipes subgraph answers, so it works while comments is down.',
    variables: { id: RECIPE_ID_PLACEHOLDER },
  },
  CommentAdded: {
    about:
      'Live, over a WebSocket: every comment added to the recipe (add one in the AddComment tab). To resume, pass the last cursor as after.',
    variables: { recipeId: RECIPE_ID_PLACEHOLDER },
  },
  RecipeUpdated: {
    about:
      'Live, over a WebSocket: every change to the recipe (run UpdateRecipe in another tab). Stop it with the same button.',
    variables: { id: RECIPE_ID_PLACEHOLDER },
  },
};

const DEFAULT_HEADERS = '{}';

/**
 * The IDE's tabs from the example operation files: the five everyone starts with first
 * (list, one recipe, create, update, comment), then who you are, then every other operation
 * in file order. Each keeps its text as written, followed by the fragments it spreads, and gets a
 * one-line comment and runnable variables.
 */
export function exampleTabs(sources: string[]): ExampleTab[] {
  const found: Array<{ name: string; text: string }> = [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: Array<{ definition: OperationDefinitionNode; source: string }> = [];
  for (const source of sources) {
    for (const definition of parse(source).definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) operations.push({ definition, source });
    }
  }
  for (const { definition, source } of operations) {
    const text = source.slice(definition.loc!.start, definition.loc!.end);
    const used = fragmentsUsedBy(definition, fragments).map((fragment) => print(fragment));
    found.push({ name: definition.name!.value, text: [text, ...used].join('\n\n') });
  }
  const preferred = Object.keys(EXAMPLES);
  const rank = (name: string) => (preferred.includes(name) ? preferred.indexOf(name) : preferred.length);
  return found
    .map((operation, index) => ({ ...operation, index }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.index - b.index)
    .map(({ name, text }) => {
      const example = EXAMPLES[name];
      const about = example ? `# ${example.about}\n` : '';
      const variables = example?.variables ?? placeholderVariables(text);
      return {
        name,
        query: `${about}${text}\n`,
        variables: JSON.stringify(variables, null, 2),
        headers: DEFAULT_HEADERS,
      };
    });
}

/** The fragments an operation spreads, directly or through other fragments, in the order first met: a tab must run alone. */
function fragmentsUsedBy(
  root: ASTNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: ASTNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!fragment || used.has(fragment.name.value)) return;
        used.set(fragment.name.value, fragment);
        collect(fragment);
      },
    });
  collect(root);
  return [...used.values()];
}

/** Operations without a curated example get their required `$id` filled with a hint. */
function placeholderVariables(text: string): Record<string, unknown> {
  return /\$id\s*:/.test(text) ? { id: 'paste an id' } : {};
}
