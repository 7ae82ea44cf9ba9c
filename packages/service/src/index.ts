export { parseEnv, envVar, ConfigError, type Env } from './config.js';
export { createLogger, type Logger } from './logger.js';
export {
  DomainError,
  BadUserInputError,
  NotFoundError,
  RequestRefusedError,
  UnauthenticatedError,
  ForbiddenError,
  createErrorFormatter,
  type ErrorFormatterOptions,
} from './errors.js';
export { DateTimeScalar, DecimalScalar } from './scalars.js';
export { parseTimestamp } from './timestamp.js';
export { quoted, shortened, withShortQuotes, ECHO_LIMIT, MESSAGE_LIMIT } from './echo.js';
export {
  checkReadiness,
  downChecksOf,
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
export {
  createHttpServer,
  httpLimitsOf,
  httpServerEnv,
  DEFAULT_HTTP_LIMITS,
  type HttpServerLimits,
  type HttpServerConfig,
} from './httpServer.js';
export { allowedHostsOnly, allowedHostsVar, isAllowedHost, DEFAULT_ALLOWED_HOSTS } from './allowedHosts.js';
export { corsOriginsVar, corsPolicy } from './corsPolicy.js';
export { displayValue, isSecretName, maskUrlPasswords } from './secretValues.js';
export { REQUEST_ID_HEADER, acceptRequestId, assignRequestId, requestIdOf } from './requestId.js';
export { currentRequest, type RequestFacts } from './requestScope.js';
export { requestFacts } from './requestLog.js';
export { runService } from './shutdown.js';
export { encodeCursor, decodeCursor, pageOf, findByIds, type Page } from './cursor.js';
export { isUuid } from './ids.js';
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
export { migrateSubgraph } from './migrations.js';
export { commandEnv, runParkedCommand, runReplayCommand, type ReplayPage } from './commands.js';
export { queryLimits, costRules, type QueryLimits } from './limits/queryLimits.js';
export { costLimitPlugin, costRefusal } from './limits/queryCost.js';
export { checkPageSize, pageSizeViolations } from './limits/pageSize.js';
export { scalarLiteralsRule, scalarVariablesPlugin, POTLUCK_SCALARS } from './scalarInputs.js';
export { internalAuthEnv, internalAuthSecretOf, userAuthEnv, userAuthOf, type UserAuth } from './identityConfig.js';
export { gatewayOnly } from './gatewayOnly.js';
export { signedIn } from './signedIn.js';
export { newEventMeta } from './eventMeta.js';
export {
  createServiceMetrics,
  metricsEnv,
  startMetricsServer,
  writeMetrics,
  type MetricsConfig,
  type MetricsServer,
  type ServiceMetrics,
} from './metrics/serviceMetrics.js';
export {
  ANONYMOUS_OPERATION,
  OTHER_OPERATION,
  operationLabeler,
  requestOutcome,
  type RequestOutcome,
} from './metrics/labels.js';
export { operationNamesIn, readOperationNames } from './metrics/operationNames.js';
export { graphqlRequestMetrics } from './metrics/requestMetrics.js';
export { eventSyncEnv, type EventSyncConfig } from './eventSyncConfig.js';
