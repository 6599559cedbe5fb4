/**
 * The server's error handler (app.ts): every error is a protocol error body, an internal one
 * logged with its stack, and none leaves with it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { loggableError, toErrorReply, unavailableWarning } from './errors.ts';
import { isNewerSchema } from './stores/newer-schema.ts';
import { pathOf } from './request-context.ts';
import type { RefuseBeforeBody } from './routes/refuse-before-body.ts';

export function errorHandler(refuse: RefuseBeforeBody): (err: unknown, request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  // While the database is unreachable, or its storage full, every request fails alike: one
  // warning per 10 s says so, not an error with its stack per request. One per reason
  // (errors.ts, unavailableWarning): a restart's "PostgreSQL is shutting down" is not hidden
  // by a "cannot be reached" of a connection attempt that failed a moment before it.
  const unavailableLoggedAt = new Map<string, number>();
  return (err, request, reply) => {
    const e = toErrorReply(err);
    if (e.internal) request.log.error({ err: loggableError(err), path: pathOf(request.url) }, 'internal error');
    const why = e.body.error.code === 'unavailable' ? unavailableWarning(err) : null;
    // A newer schema does not pass: said once, as the process is out of rotation from then on (/healthz).
    const every = isNewerSchema(err) ? Infinity : 10_000;
    if (why !== null && !(performance.now() - (unavailableLoggedAt.get(why) ?? -Infinity) < every)) {
      unavailableLoggedAt.set(why, performance.now());
      request.log.warn({ err: { type: (err as Error).name, code: (err as { code?: unknown }).code, message: (err as Error).message } }, why);
    }
    return refuse(request, reply, e, e.headers); // a refusal before the body (a wrong media type) leaves it unread
  };
}
