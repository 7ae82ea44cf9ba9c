import { randomUUID } from 'node:crypto';
import type { ExpressContextFunctionArgument } from '@as-integrations/express5';

/** What the gateway passes on to every subgraph fetch for one client request. */
export interface GatewayContext {
  requestId: string;
  authorization?: string;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

export async function createGatewayContext({ req, res }: ExpressContextFunctionArgument): Promise<GatewayContext> {
  const incoming = req.get('x-request-id');
  const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', requestId);
  const authorization = req.get('authorization');
  return authorization ? { requestId, authorization } : { requestId };
}
