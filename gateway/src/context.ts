import type { ExpressContextFunctionArgument } from '@as-integrations/express5';
import { requestIdOf } from '@potluck/service';

/** What the gateway passes on to every subgraph fetch for one client request. */
export interface GatewayContext {
  requestId: string;
  authorization?: string;
}

/** The request id was decided (accepted or generated) and echoed when the request arrived. */
export async function createGatewayContext({ req }: ExpressContextFunctionArgument): Promise<GatewayContext> {
  const requestId = requestIdOf(req);
  const authorization = req.get('authorization');
  return authorization ? { requestId, authorization } : { requestId };
}
