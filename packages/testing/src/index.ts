export { createTestDatabase, randomName, templateName, testServerUrl, type TestDatabase } from './databases.js';
export { endPool, openPool } from './pools.js';
export { waitFor } from './waitFor.js';
export { rejectionOf } from './rejection.js';
export { freePort } from './ports.js';
export { graphqlRequest, errorCodes, type GraphQLResponse } from './graphqlRequest.js';
export { findMigrationDrift, findSchemaDrift } from './schemaDrift.js';
export { startSubgraphForTest, type SubgraphUnderTest } from './subgraphs.js';
export { testAmqpUrl, uniqueAmqpPrefix, declareEventExchanges, deleteBrokerTopology, waitingIn } from './broker.js';
export { brokerAdmin, createBrokerUser, urlAs, type BrokerAdmin, type BrokerUser } from './brokerUsers.js';
export { startTcpProxy, type TcpProxy } from './tcpProxy.js';
export { recipeEventFixture, commentEventFixture, eventSyncProbesFixture } from './eventFixtures.js';
export { queryRows, type Row } from './sql.js';
export {
  TEST_USER,
  testUsers,
  testInternalSecret,
  actAsGatewayFor,
  signInAt,
  testIdentityProvider,
  type TestIdentityProvider,
} from './identities.js';
export {
  parsePrometheusText,
  promtoolMetricProblems,
  sampleValue,
  type MetricFamily,
  type Sample,
} from './prometheusText.js';
export { describeWithTool, runTool, type ToolRun } from './machineTool.js';
export { useForTestFile } from './testFileScope.js';
