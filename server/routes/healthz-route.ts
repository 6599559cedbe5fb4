/** `/healthz` (app.ts): whether this process serves, for a load balancer; and a launcher's challenge. */
import type { FastifyInstance } from 'fastify';
import type { Authenticator } from '../auth.ts';
import { protocolError, sendError } from '../errors.ts';
import { CHALLENGE_PATTERN } from '../server-proof.ts';

/** `down`: shutting down, or a store that can no longer serve. */
export function registerHealthzRoute(fastify: FastifyInstance, auth: Authenticator, down: () => boolean): void {
  fastify.route({
    method: ['GET', 'HEAD'],
    url: '/healthz',
    handler: async (request, reply) => {
      reply.header('cache-control', 'no-store');
      // A launcher's challenge (server-proof.ts): answered with the proof that this server
      // holds the secret, before the launcher sends it a token signed with that secret.
      const challenge = (request.query as Record<string, unknown>).challenge;
      if (challenge !== undefined && (typeof challenge !== 'string' || !CHALLENGE_PATTERN.test(challenge))) {
        return sendError(reply, protocolError('invalid_request', 'the challenge query parameter must be 16 to 128 URL-safe base64 characters'));
      }
      // Shutting down, or a store that can no longer serve: take this process out of rotation.
      if (down()) return reply.code(503).send({ ok: false });
      return challenge !== undefined && auth.prove ? { ok: true, proof: auth.prove(challenge) } : { ok: true };
    },
  });
}
