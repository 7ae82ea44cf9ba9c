import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * GraphQL Code Generator, from the SDL in schema/: the typed client (client-facing schema plus
 * the example operations) and each subgraph's resolver types (its own SDL, federation-aware).
 * `npm run codegen` writes the files; `npm run codegen:check` fails when any is stale.
 * Paths are relative to the working directory, which npm sets to the repository root.
 */

/** Both scalars travel as strings; the client sends and receives them as such (no float money). */
const clientScalars = {
  DateTime: 'string',
  Decimal: 'string',
};

/** What the subgraphs' scalars hand resolvers (`parseValue`) and accept from them (`serialize`). */
const subgraphScalars = {
  DateTime: { input: 'Date', output: 'Date | string' },
  Decimal: { input: 'string', output: 'string | number | { toFixed(places: number): string }' },
  _FieldSet: 'string',
};

const resolverConfig = {
  federation: true,
  useTypeImports: true,
  enumsAsTypes: true,
  strictScalars: true,
  scalars: subgraphScalars,
  mapperTypeSuffix: 'Model',
};

type Output = Exclude<CodegenConfig['generates'][string], unknown[]>;

export const CLIENT_FILE = 'client/src/generated/graphql.ts';

/** The typed client. An outside app can use the same settings with its own schema source and documents. */
export const clientOutput = {
  schema: 'schema/api.graphql',
  documents: 'schema/operations/*.graphql',
  plugins: ['typescript-operations', 'typed-document-node'],
  config: {
    useTypeImports: true,
    enumsAsTypes: true,
    strictScalars: true,
    scalars: clientScalars,
  },
} satisfies Output;

const config: CodegenConfig = {
  overwrite: true,
  emitLegacyCommonJSImports: false,
  generates: {
    [CLIENT_FILE]: clientOutput,
    'subgraphs/recipes/src/generated/graphql.ts': {
      schema: 'schema/recipes.graphql',
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        ...resolverConfig,
        contextType: '../graphql/context.js#RecipesContext',
        mappers: {
          Recipe: './prisma/client.js#Recipe',
          RecipeConnection: '../recipes/listRecipes.js#RecipePage',
        },
      },
    },
    'subgraphs/comments/src/generated/graphql.ts': {
      schema: 'schema/comments.graphql',
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        ...resolverConfig,
        contextType: '../graphql/context.js#CommentsContext',
        mappers: {
          Comment: './prisma/client.js#Comment',
          // Another service owns recipes: this one knows a recipe by its id alone.
          Recipe: "{ __typename?: 'Recipe'; id: string }",
          CommentConnection: '../comments/recipeComments.js#CommentPage',
        },
      },
    },
  },
};

export default config;
