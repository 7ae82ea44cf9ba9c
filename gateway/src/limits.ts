import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { RequestRefusedError } from '@potluck/service';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import type { GatewayConfig } from './config.js';
import { pageSizePlugin } from './pageSize.js';

type Limits = Pick<
  GatewayConfig,
  'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_COST' | 'MAX_DIRECTIVES' | 'MAX_PAGE_SIZE' | 'INTROSPECTION'
>;

/**
 * graphql-armor reports a refusal as a validation error; this gives it a code that names
 * the limit and a message without armor's misleading "Syntax Error:" prefix.
 */
function refuseAs(code: string) {
  return {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [
      (context: ValidationContext | null, error: GraphQLError) => {
        const message = error.message.replace(/^Syntax Error: /, '');
        context?.reportError(new GraphQLError(message, { originalError: new RequestRefusedError(code, message) }));
      },
    ],
  };
}

/**
 * What the gateway refuses before planning a query: too deep, too many aliases, too
 * costly, too many directives (graphql-armor), or a `first` above the page size. Token
 * count is Apollo's own parser limit (see MAX_TOKENS); body size is the HTTP layer's.
 * Field suggestions in errors are blocked when introspection is off, so they cannot
 * reveal the schema.
 */
export function queryLimits(limits: Limits): { validationRules: ValidationRule[]; plugins: ApolloServerPlugin[] } {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.MAX_DEPTH, ...refuseAs('QUERY_TOO_DEEP') },
    maxAliases: { n: limits.MAX_ALIASES, ...refuseAs('TOO_MANY_ALIASES') },
    costLimit: { maxCost: limits.MAX_COST, ...refuseAs('QUERY_TOO_COSTLY') },
    maxDirectives: { n: limits.MAX_DIRECTIVES, ...refuseAs('TOO_MANY_DIRECTIVES') },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: !limits.INTROSPECTION },
  });
  const { validationRules, plugins } = armor.protect();
  return {
    validationRules: validationRules as ValidationRule[],
    plugins: [...(plugins as ApolloServerPlugin[]), pageSizePlugin(limits.MAX_PAGE_SIZE)],
  };
}
