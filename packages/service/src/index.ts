export { parseEnv, envVar, ConfigError, type Env } from './config.js';
export { createLogger, type Logger } from './logger.js';
export {
  DomainError,
  BadUserInputError,
  NotFoundError,
  RequestRefusedError,
  createErrorFormatter,
  type ErrorFormatterOptions,
} from './errors.js';
export { DateTimeScalar, DecimalScalar } from './scalars.js';
export {
  checkReadiness,
  type ReadinessCheck,
  type ReadinessChecks,
  type ReadinessReport,
  type CheckResult,
  type CheckDetails,
} from './readiness.js';
export {
  startGraphQLService,
  DEFAULT_BODY_LIMIT_BYTES,
  type GraphQLServiceOptions,
  type RunningService,
} from './graphqlService.js';
export { REQUEST_ID_HEADER, acceptRequestId, assignRequestId, requestIdOf } from './requestId.js';
export { currentRequest, type RequestFacts } from './requestScope.js';
export { onShutdownSignal, exitOnStartupError } from './shutdown.js';
export { encodeCursor, decodeCursor, checkPageSize, isUuid } from './cursor.js';
export { selectsField } from './selection.js';
export {
  startSubgraph,
  subgraphEnvSchema,
  type SubgraphConfig,
  type SubgraphDefinition,
  type RunningSubgraph,
  type SubgraphOverrides,
  type OperationDeps,
} from './subgraph.js';
export { commandEnv, replayAll, runParkedCommand } from './commands.js';
