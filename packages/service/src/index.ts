export { parseEnv, envVar, ConfigError, type Env } from './config/config.js';
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
} from './graphql/errors.js';
export { DateTimeScalar, DecimalScalar } from './graphql/scalars.js';
export { parseTimestamp } from './graphql/timestamp.js';
export { quoted, shortened, withShortQuotes, ECHO_LIMIT, MESSAGE_LIMIT } from './graphql/echo.js';
export {
  checkReadiness,
  downChecksOf,
  type ReadinessCheck,
  type ReadinessChecks,
  type ReadinessReport,
  type CheckResult,
  type CheckDetails,
} from './http/readiness.js';
export {
  startGraphQLService,
  DEFAULT_BODY_LIMIT_BYTES,
  type GraphQLServiceOptions,
  type RunningService,
} from './http/graphqlService.js';
export {
  createHttpServer,
  httpLimitsOf,
  httpServerEnv,
  DEFAULT_HTTP_LIMITS,
  type HttpServerLimits,
  type HttpServerConfig,
} from './http/httpServer.js';
export {
  admissionControl,
  createAdmissionLine,
  DEFAULT_ADMISSION_LIMITS,
  SERVER_BUSY,
  type AdmissionControl,
  type AdmissionLimits,
  type AdmissionLine,
  type ShedReason,
  type Turn,
} from './http/admission.js';
export { allowedHostsOnly, allowedHostsVar, isAllowedHost, DEFAULT_ALLOWED_HOSTS } from './http/allowedHosts.js';
export { corsOriginsVar, corsPolicy } from './http/corsPolicy.js';
export { displayValue, isSecretName, maskUrlPasswords } from './config/secretValues.js';
export { REQUEST_ID_HEADER, acceptRequestId, assignRequestId, requestIdOf } from './http/requestId.js';
export { currentRequest, type RequestFacts } from './http/requestScope.js';
export { requestFacts } from './http/requestLog.js';
export { runService } from './http/shutdown.js';
export { encodeCursor, decodeCursor, pageOf, findByIds, type Page } from './graphql/cursor.js';
export { isUuid } from './graphql/ids.js';
export { selectsField } from './subgraph/selection.js';
export { compilableDocument } from './graphql/compilableDocument.js';
export { compiledExecutionMetrics } from './graphql/compiledExecution.js';
export {
  startSubgraph,
  subgraphEnvSchema,
  type SubgraphConfig,
  type SubgraphDefinition,
  type RunningSubgraph,
  type SubgraphOverrides,
  type OperationDeps,
} from './subgraph/subgraph.js';
export { migrateSubgraph } from './subgraph/migrations.js';
export { commandEnv, runParkedCommand, runReplayCommand, type ReplayPage } from './cli/commands.js';
export { queryLimits, costRules, type QueryLimits } from './limits/queryLimits.js';
export { costLimitPlugin, costRefusal } from './limits/queryCost.js';
export { checkPageSize, pageSizeViolations } from './limits/pageSize.js';
export { scalarLiteralsRule, scalarVariablesPlugin, POTLUCK_SCALARS } from './graphql/scalarInputs.js';
export {
  internalAuthEnv,
  internalAuthSecretOf,
  userAuthEnv,
  userAuthOf,
  type UserAuth,
} from './config/identityConfig.js';
export { gatewayOnly } from './subgraph/gatewayOnly.js';
export { signedIn } from './subgraph/signedIn.js';
export { newEventMeta } from './subgraph/eventMeta.js';
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
export { eventSyncEnv, type EventSyncConfig } from './subgraph/eventSyncConfig.js';
