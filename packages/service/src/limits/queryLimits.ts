import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';
import { RequestRefusedError } from '../graphql/errors.js';
import { pageSizePlugin } from './pageSize.js';
import { costLimitPlugin } from './queryCost.js';

/** The limits a process applies to every operation, as its configuration names them. */
export interface QueryLimits {
  MAX_DEPTH: number;
  MAX_ALIASES: number;
  MAX_COST: number;
  MAX_DIRECTIVES: number;
  MAX_PAGE_SIZE: number;
  INTROSPECTION: boolean;
}

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

const OFF = { enabled: false };

/** The validation rules and plugins of only the armor protections `config` names. */
function armorOnly(config: NonNullable<ConstructorParameters<typeof ApolloArmor>[0]>) {
  const { validationRules, plugins } = new ApolloArmor({
    maxDepth: OFF,
    maxAliases: OFF,
    costLimit: OFF,
    maxDirectives: OFF,
    maxTokens: OFF,
    blockFieldSuggestion: OFF,
    ...config,
  }).protect();
  return { validationRules: validationRules as ValidationRule[], plugins: plugins as ApolloServerPlugin[] };
}

/** graphql-armor's cost rule alone: it runs per request, once the page sizes are known (see queryCost.ts). */
export function costRules(maxCost: number): ValidationRule[] {
  return armorOnly({ costLimit: { maxCost, ...refuseAs('QUERY_TOO_COSTLY') } }).validationRules;
}

/**
 * What a process refuses before it plans or runs a query: too deep, too many aliases, too many
 * directives (graphql-armor validation rules), a `first` above the page size, or too
 * costly with the page sizes the request's variables give. Token count is Apollo's own
 * parser limit (see MAX_TOKENS); body size is the HTTP layer's. Field suggestions in
 * errors are blocked when introspection is off, so they cannot reveal the schema.
 */
export function queryLimits(limits: QueryLimits): { validationRules: ValidationRule[]; plugins: ApolloServerPlugin[] } {
  const { validationRules, plugins } = armorOnly({
    maxDepth: { n: limits.MAX_DEPTH, ...refuseAs('QUERY_TOO_DEEP') },
    maxAliases: { n: limits.MAX_ALIASES, ...refuseAs('TOO_MANY_ALIASES') },
    maxDirectives: { n: limits.MAX_DIRECTIVES, ...refuseAs('TOO_MANY_DIRECTIVES') },
    blockFieldSuggestion: { enabled: !limits.INTROSPECTION },
  });
  return {
    validationRules,
    plugins: [...plugins, pageSizePlugin(limits.MAX_PAGE_SIZE), costLimitPlugin(costRules(limits.MAX_COST))],
  };
}
