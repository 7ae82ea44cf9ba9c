export { parseEnv, envVar, ConfigError, type Env } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { DomainError, BadUserInputError, NotFoundError, createErrorFormatter } from './errors.js';
export { DateTimeScalar, DecimalScalar } from './scalars.js';
export { checkReadiness, type ReadinessCheck, type ReadinessReport, type CheckResult } from './readiness.js';
export { startGraphQLService, type GraphQLServiceOptions, type RunningService } from './graphqlService.js';
export { onShutdownSignal, exitOnStartupError } from './shutdown.js';
export { encodeCursor, decodeCursor, checkPageSize, isUuid } from './cursor.js';
export {
  startSubgraph,
  subgraphEnvSchema,
  type SubgraphConfig,
  type SubgraphDefinition,
  type RunningSubgraph,
  type SubgraphOverrides,
  type OperationDeps,
} from './subgraph.js';
