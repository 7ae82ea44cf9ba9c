import type { ExpressContextFunctionArgument } from '@as-integrations/express5';
import type { Viewer } from '@potluck/identity';
import { requestIdOf } from '@potluck/service';

/** What the gateway passes on to every subgraph fetch for one client request. */
export interface GatewayContext {
  requestId: string;
  /** Who sent the request, from their verified token (`userTokens`); null when nobody signed in. */
  viewer: Viewer;
}

/** The request id was decided (accepted or generated) and the token verified when the request arrived. */
export async function createGatewayContext({ req, res }: ExpressContextFunctionArgument): Promise<GatewayContext> {
  return { requestId: requestIdOf(req), viewer: (res.locals.viewer as Viewer | undefined) ?? null };
}
