/**
 * request-context.ts rule by rule, on inputs the test holds (round 64, from its first
 * mutation run): which path a request is routed and logged by, which query is malformed,
 * who the client is (its address, through a proxy or not), which request id is kept, the
 * places a request holds until it is answered, and the one log line. The real-HTTP suites
 * (route-path-escapes, trust-proxy, lingering-refusals) reach these through a server; here
 * each edge is taken alone.
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import {
  answered, clientAddress, contextOf, forwardedAddress, holdUntilAnswered, logRequest, malformedQuery, noteRefusal,
  pathOf, requestIdOf, routePathOf,
} from '../request-context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A request as the functions read it: its `ip` (Fastify's, after proxy trust) and its socket's peer. */
function request(ip: string | undefined, peer: string | undefined, extra: Record<string, unknown> = {}): FastifyRequest {
  return { ip, socket: { remoteAddress: peer }, ...extra } as unknown as FastifyRequest;
}

describe('pathOf and routePathOf', () => {
  it('a path is cut at its query and at 200 characters', () => {
    expect(pathOf('/v1/sync?x=1')).toBe('/v1/sync');
    expect(pathOf('/v1/sync')).toBe('/v1/sync');
    expect(pathOf('?x=1')).toBe('');
    const long = `/${'a'.repeat(300)}`;
    expect(pathOf(long)).toBe(long.slice(0, 200));
    expect(pathOf(`${long}?q`)).toHaveLength(200);
  });

  it('decodes escapes of unreserved characters only, in either case of hex', () => {
    expect(routePathOf('/v1/%73ync')).toBe('/v1/sync');
    expect(routePathOf('/%76%31/%53%59%4e%43')).toBe('/v1/SYNC');
    expect(routePathOf('/%7e%2D%2e%5F%30%39%7A%41')).toBe('/~-._09zA');
    // Not unreserved: the escape stays as it came.
    for (const kept of ['%2F', '%2f', '%20', '%25', '%3F', '%23', '%00', '%C3%A9', '%5C', '%2C', '%2B']) {
      expect(routePathOf(`/v1/${kept}x`)).toBe(`/v1/${kept}x`);
    }
    // Not an escape: a `%` without two hex digits.
    expect(routePathOf('/v1/%7')).toBe('/v1/%7');
    expect(routePathOf('/v1/%zz%7g')).toBe('/v1/%zz%7g');
    expect(routePathOf('/v1/%%73')).toBe('/v1/%s');
    expect(routePathOf('/v1/%737')).toBe('/v1/s7');
  });

  it('ends the path at a fragment or a query, whichever comes first', () => {
    expect(routePathOf('/v1/sync#x')).toBe('/v1/sync');
    expect(routePathOf('/v1/sync#x?y')).toBe('/v1/sync');
    expect(routePathOf('/v1/sync?y#x')).toBe('/v1/sync');
    expect(routePathOf('/v1/%73ync?a=%73')).toBe('/v1/sync');
    expect(routePathOf('#/v1/sync')).toBe('');
  });
});

describe('malformedQuery', () => {
  it('is false without a query, however bad the path', () => {
    expect(malformedQuery('/v1/sync')).toBe(false);
    expect(malformedQuery('/v1/%zz')).toBe(false);
    expect(malformedQuery('/v1/%E0')).toBe(false);
  });

  it('reads the query alone: a bad escape just before it is the path\'s', () => {
    expect(malformedQuery('/v1/sync?a=1&b=%41%C3%A9')).toBe(false);
    expect(malformedQuery('/v1/%?a=%41')).toBe(false);
    expect(malformedQuery('/v1/%E0?a=b')).toBe(false);
    expect(malformedQuery('/v1/sync?')).toBe(false);
  });

  it('is true for a `%` without two hex digits, or escapes that are not UTF-8', () => {
    expect(malformedQuery('/v1/sync?a=%')).toBe(true);
    expect(malformedQuery('/v1/sync?a=%zz')).toBe(true);
    expect(malformedQuery('/v1/sync?a=%4')).toBe(true);
    expect(malformedQuery('/v1/sync?a=%E0%A4')).toBe(true);
    expect(malformedQuery('/v1/sync?%FF')).toBe(true);
  });
});

describe('forwardedAddress', () => {
  it('takes the address out of the forms proxies write', () => {
    expect(forwardedAddress('203.0.113.5')).toBe('203.0.113.5');
    expect(forwardedAddress('  203.0.113.5 ')).toBe('203.0.113.5');
    expect(forwardedAddress('203.0.113.5:51234')).toBe('203.0.113.5');
    expect(forwardedAddress('203.0.113.5:1')).toBe('203.0.113.5');
    expect(forwardedAddress('2001:db8::5')).toBe('2001:db8::5');
    expect(forwardedAddress('[2001:db8::5]:443')).toBe('2001:db8::5');
    expect(forwardedAddress('[2001:db8::5]')).toBe('2001:db8::5');
    expect(forwardedAddress(' [::1]:8080 ')).toBe('::1');
  });

  it('is null for anything else', () => {
    for (const v of [
      '', 'unknown', 'x203.0.113.5:80', '203.0.113.5:80x', '203.0.113.5:', '203.0.113.5:123456', '1203.0.113.5:80',
      '203.0.113.5.1:80', '203.0.113:80', '999.0.113.5:80', '[2001:db8::5]:', '[2001:db8::5]:443x', 'a[2001:db8::5]',
      '[2001:db8::5]:123456', '[nothing]', '[]', '[2001:db8::5', '2001:db8::5]', '[[::1]]', 'a, b', '203.0.113.5, 10.0.0.1',
    ]) {
      expect(forwardedAddress(v), v).toBeNull();
    }
  });
});

describe('clientAddress', () => {
  it('is the peer\'s when Fastify names no other address', () => {
    expect(clientAddress(request(undefined, '192.0.2.1'))).toBe('192.0.2.1');
    expect(clientAddress(request('192.0.2.1', '192.0.2.1'))).toBe('192.0.2.1');
    expect(clientAddress(request(undefined, undefined))).toBe('unknown');
    const gone = request(undefined, undefined);
    clientAddress(gone);
    expect(contextOf(gone).peer).toBeUndefined();
  });

  it('is the forwarded address through a trusted proxy, the peer kept beside it', () => {
    const r = request('203.0.113.5:51234', '10.0.0.1');
    expect(clientAddress(r)).toBe('203.0.113.5');
    expect(contextOf(r).peer).toBe('10.0.0.1');
    expect(clientAddress(request('[2001:db8::5]:443', '10.0.0.1'))).toBe('2001:db8::5');
    expect(clientAddress(request('203.0.113.5', undefined))).toBe('203.0.113.5');
  });

  it('a forwarded value that is no address is a key of its own, cut at 64 characters, never the peer\'s', () => {
    expect(clientAddress(request('not an address', '10.0.0.1'))).toBe('unparsed:not an address');
    const long = 'x'.repeat(100);
    expect(clientAddress(request(long, '10.0.0.1'))).toBe(`unparsed:${'x'.repeat(64)}`);
  });

  it('is kept once known, though the socket loses its address', () => {
    const socket = { remoteAddress: '192.0.2.7' as string | undefined };
    const r = { ip: undefined, socket } as unknown as FastifyRequest;
    expect(clientAddress(r)).toBe('192.0.2.7');
    socket.remoteAddress = undefined;
    expect(clientAddress(r)).toBe('192.0.2.7');
    const c = contextOf(r);
    expect(c.peer).toBe('192.0.2.7');
    expect(contextOf(r)).toBe(c);
  });
});

describe('requestIdOf', () => {
  const req = (id: unknown): IncomingMessage => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as IncomingMessage;

  it('keeps a sane X-Request-Id from a trusted peer (the default)', () => {
    for (const id of ['a', 'abc-123', 'A.b_c:d/e+f=g-0', 'x'.repeat(128), '2f1c0b8e-1d4b-4f5c-9a0e-7a1b2c3d4e5f']) {
      expect(requestIdOf(req(id))).toBe(id);
      expect(requestIdOf(req(id), true)).toBe(id);
    }
  });

  it('draws a random one otherwise, different each time', () => {
    const ids = new Set<string>();
    for (const [id, trusted] of [
      ['abc', false], [undefined, true], ['', true], ['x'.repeat(129), true], ['a b', true], ['a\nb', true],
      ['a"b', true], ['abc\n', true], ['\nabc', true], ['é', true], [['a', 'b'], true],
    ] as const) {
      const got = requestIdOf(req(id), trusted);
      expect(got, String(id)).toMatch(UUID);
      ids.add(got);
    }
    expect(ids.size).toBe(11);
  });
});

describe('holdUntilAnswered and answered', () => {
  function pair(destroyed = false): { request: FastifyRequest; reply: FastifyReply; raw: EventEmitter } {
    const raw = new EventEmitter();
    return {
      request: { raw: { socket: { destroyed } } } as unknown as FastifyRequest,
      reply: { raw } as unknown as FastifyReply,
      raw,
    };
  }

  it('a place goes back when the response closes', () => {
    const { request: r, reply, raw } = pair();
    let released = 0;
    holdUntilAnswered(r, reply, () => released++);
    expect(released).toBe(0);
    raw.emit('close');
    expect(released).toBe(1);
    raw.emit('close');
    expect(released).toBe(1);
  });

  it('at once for a client already gone', () => {
    const { request: r, reply } = pair(true);
    let released = 0;
    holdUntilAnswered(r, reply, () => released++);
    expect(released).toBe(1);
  });

  it('answered() gives back every place the request holds, once', () => {
    const { request: r, reply } = pair();
    const calls: string[] = [];
    holdUntilAnswered(r, reply, () => calls.push('user'));
    holdUntilAnswered(r, reply, () => calls.push('address'));
    answered(r);
    expect(calls).toEqual(['user', 'address']);
    answered(r);
    expect(calls).toEqual(['user', 'address']);
    // A request that held nothing.
    expect(() => answered(pair().request)).not.toThrow();
  });
});

describe('logRequest', () => {
  function logged(ip: string | undefined, peer: string | undefined, url = '/v1/sync?token=x'): { r: FastifyRequest; lines: unknown[][] } {
    const lines: unknown[][] = [];
    const r = request(ip, peer, { method: 'POST', url, log: { info: (...args: unknown[]) => lines.push(args) } });
    return { r, lines };
  }

  it('writes one line, the first call\'s, without the query', () => {
    const { r, lines } = logged(undefined, '192.0.2.1');
    logRequest(r, 200, 12.345);
    logRequest(r, 500, 1);
    expect(lines).toEqual([[{ method: 'POST', path: '/v1/sync', status: 200, ms: 12.3, ip: '192.0.2.1' }, 'request']]);
    const round = logged(undefined, '192.0.2.1');
    logRequest(round.r, 204, 0.96);
    expect(round.lines[0]?.[0]).toMatchObject({ ms: 1 });
  });

  it('names the peer only when it is not the client, and what the request did', () => {
    const { r, lines } = logged('203.0.113.5', '10.0.0.1');
    const c = contextOf(r);
    c.user = 'alice';
    c.pushed = 3;
    c.stored = 2;
    c.pulled = 7;
    c.gone = 'client went away';
    noteRefusal(r, 'rate_limited', 'too many');
    logRequest(r, 429, 5);
    expect(lines[0]?.[0]).toEqual({
      method: 'POST', path: '/v1/sync', status: 429, ms: 5, ip: '203.0.113.5', peer: '10.0.0.1', user: 'alice',
      error: 'rate_limited', reason: 'too many', pushed: 3, stored: 2, pulled: 7, ended: 'client went away',
    });
  });

  it('says why only for an answer that is a refusal (400 and up)', () => {
    for (const [status, refused] of [[400, true], [399, false], [200, false], [503, true]] as const) {
      const { r, lines } = logged(undefined, '192.0.2.1');
      noteRefusal(r, 'invalid_request', 'bad');
      logRequest(r, status, 1);
      const line = lines[0]?.[0] as Record<string, unknown>;
      expect('error' in line, String(status)).toBe(refused);
      expect('reason' in line, String(status)).toBe(refused);
    }
    const { r, lines } = logged(undefined, '192.0.2.1');
    logRequest(r, 500, 1);
    expect(lines[0]?.[0]).not.toHaveProperty('error');
  });
});
