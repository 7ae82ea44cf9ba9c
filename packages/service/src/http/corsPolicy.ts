import cors from 'cors';
import type { RequestHandler } from 'express';
import { envVar } from '../config/config.js';
import { REQUEST_ID_HEADER } from './requestId.js';

function isOrigin(value: string): boolean {
  return URL.canParse(value) && new URL(value).origin === value;
}

/**
 * `CORS_ORIGINS`: the exact origins (`https://app.example.com`, scheme, host and port only)
 * whose pages may call `/graphql` from a browser; none by default.
 */
export const corsOriginsVar = () =>
  envVar
    .list()
    .refine(
      (origins) => origins.every(isOrigin),
      'must be origins such as https://app.example.com (scheme, host and port; no path, no trailing slash), separated by commas',
    )
    .default([]);

/**
 * Lets pages of the listed origins call the API: preflights and answers carry
 * Access-Control-Allow-Origin for them and for no one else. Without this middleware no
 * CORS header is sent at all, which browsers treat as "same origin only". Apollo's CSRF
 * prevention stays on either way.
 */
export function corsPolicy(origins: readonly string[]): RequestHandler {
  return cors({
    origin: [...origins],
    methods: ['GET', 'POST'],
    exposedHeaders: [REQUEST_ID_HEADER],
    maxAge: 600,
  });
}
