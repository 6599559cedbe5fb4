/**
 * `Expect` (docs/protocol.md §5): `100-continue` is the only expectation the server meets;
 * the sync route sends `100 Continue` once the request passed every check made without its
 * body (sync-route.ts). Any other expectation cannot be met: 417, and the connection closed.
 *
 * Node routes a request to `checkContinue` when its `Expect` merely contains `100-continue`
 * as a word (`100-continue, foo`, `100-Continue;x`); the route sends `100 Continue` only for
 * exactly that expectation, so such a request got neither 100 nor 417 and waited for the body
 * timeout (408). Both events are therefore decided here by the same exact match.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { REQUEST_CODINGS } from './compression.ts';
import { addVary } from './cors.ts';
import { routePathOf } from './request-context.ts';

/** True when `expect` is exactly the expectation `100-continue` (case-insensitive, RFC 9110 §10.1.1). */
export function expectsContinue(expect: string | undefined): boolean {
  return /^[ \t]*100-continue[ \t]*$/i.test(expect ?? '');
}

export interface ExpectationOptions {
  /** The CORS headers for an origin (cors.ts), or null without CORS. */
  readonly corsHeaders: ((origin: string | undefined) => Record<string, string>) | null;
  /** The request's id (request-context.ts, requestIdOf). */
  readonly requestId: (req: IncomingMessage) => string;
}

/**
 * Handles `Expect` on `server`: an exact `100-continue` goes on as a request (its route sends
 * `100 Continue`, or refuses without it); any other expectation is answered 417 at once, its
 * body unread.
 */
export function handleExpectations(server: Server, o: ExpectationOptions): void {
  const refuse = (req: IncomingMessage, res: ServerResponse): void => {
    const body = JSON.stringify({ error: { code: 'invalid_request', message: 'only the expectation 100-continue is supported' } });
    const codings: Record<string, string> = routePathOf(req.url ?? '') === '/v1/sync' ? { 'Accept-Encoding': REQUEST_CODINGS, Vary: 'Accept-Encoding' } : {}; // as every answer of the route
    const { Vary: corsVary, ...corsRest } = o.corsHeaders?.(req.headers.origin) ?? {};
    const vary = corsVary === undefined ? codings.Vary : addVary(codings.Vary, corsVary);
    res.writeHead(417, {
      'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', Connection: 'close',
      'X-Request-Id': o.requestId(req),
      ...codings, ...corsRest, ...(vary === undefined ? {} : { Vary: vary }),
    }).end(body);
  };
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (expectsContinue(req.headers.expect)) server.emit('request', req, res);
    else refuse(req, res);
  });
  server.on('checkExpectation', refuse);
}
