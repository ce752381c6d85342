import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit as streamingBodyLimit } from 'hono/body-limit';

/**
 * Refuses a body over `maxSize` bytes. Decided from the headers whenever HTTP/1.1 framing allows:
 * no Content-Length and no Transfer-Encoding means no body, and a Content-Length is exactly the
 * body's size (Node's parser holds the client to it). Only a chunked body is counted as it is read,
 * by Hono's own middleware.
 *
 * Why not Hono's middleware alone: it reads `c.req.raw.body` first, and on the Node adapter that one
 * property turns the adapter's lightweight request into a full WHATWG Request (headers copied, body
 * stream wrapped) on every request, GETs included; profiles of the partner read showed that copy
 * among the gateway's largest costs.
 */
export function bodyLimit(options: { maxSize: number; onError: (c: Context) => Response | Promise<Response> }): MiddlewareHandler {
  const chunked = streamingBodyLimit(options);
  return async (c, next) => {
    const headers = c.req.raw.headers;
    if (headers.has('transfer-encoding')) return chunked(c, next);
    const length = headers.get('content-length');
    if (length === null) return next();
    return Number.parseInt(length, 10) > options.maxSize ? options.onError(c) : next();
  };
}
