/**
 * Bodies: UTF-8 JSON only (app.ts). Fastify only checks the media type here; the route reads
 * the body itself, with its own size and time limits (body-reader.ts), and parses it.
 */
import type { FastifyInstance } from 'fastify';
import { ProtocolError } from 'fieldsync/server';

export function acceptJsonBodies(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', (request, _payload, done) => {
    // Two: Node keeps the first, and a proxy in front may have judged the body by the other.
    if ((request.raw.headersDistinct['content-type']?.length ?? 0) > 1) {
      done(new ProtocolError('unsupported_media_type', 'the request has more than one Content-Type header'), undefined);
      return;
    }
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(new ProtocolError('unsupported_media_type', 'the body must be UTF-8 JSON'), undefined);
      return;
    }
    done(null, undefined);
  });
}
