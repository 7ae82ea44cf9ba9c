export * from './generated/graphql.js';
export {
  createClient,
  type ClientOptions,
  type GraphQLClient,
  type RequestArgs,
  type RequestOptions,
} from './request.js';
export { GraphQLRequestError, isGraphQLRequestError, type ErrorCode, type GraphQLErrorEntry } from './requestError.js';
