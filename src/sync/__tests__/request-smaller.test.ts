/**
 * What the HTTP remote keeps of a smaller request that worked (request-smaller.ts, round 61):
 * the size learnt for an hour, then one try of the size asked for; refused again, back to the
 * size learnt at once and a wait twice as long; read, the size asked for from then on.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError, createHttpRemote } from '../index.ts';
import type { SyncResponse } from '../protocol.ts';
import { answerBound, readAnswer } from '../answer-lines.ts';
import { smallerRequests, type AnswerSize } from '../request-smaller.ts';

const HOUR = 3_600_000;
const ok: SyncResponse = { accepted: 0, cursor: 0, more: false, serverTime: new Date(0).toISOString(), messages: [] };

afterEach(() => vi.restoreAllMocks());

/** An attempt that reads answers of at most `most` messages in all, and refuses bigger ones for their size, as readAnswer does. */
function server(most: { n: number }): { attempt: (wire: unknown, size: AnswerSize) => Promise<SyncResponse>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    attempt: async (_wire, { limit, pages }) => {
      asked.push(`${limit}x${pages}`);
      if (limit * pages > most.n) await readAnswer(new Response('x'.repeat(300_000)), undefined, answerBound(1, 1));
      return ok;
    },
  };
}

describe('the size learnt for a server', () => {
  it('is kept for an hour, tried again after, and the wait doubles while the server still refuses', async () => {
    let now = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const reports: AnswerSize[] = [];
    const send = smallerRequests((s) => reports.push(s));
    const most = { n: 300 };
    const { attempt, asked } = server(most);
    const wire = { clientId: 'c1', cursor: 0, limit: 1000, pages: 8 };
    await send(wire, attempt);
    expect(asked.splice(0)).toEqual(['1000x8', '1000x1', '500x1', '250x1']);
    expect(reports).toEqual([{ limit: 1000, pages: 1 }, { limit: 500, pages: 1 }, { limit: 250, pages: 1 }]);
    now = HOUR - 1;
    await send(wire, attempt);
    expect(asked.splice(0)).toEqual(['250x1']);
    now = HOUR;
    await send(wire, attempt); // the try, refused: back to 250 at once
    expect(asked.splice(0)).toEqual(['1000x8', '250x1']);
    now = 3 * HOUR - 1; // two hours after the try
    await send(wire, attempt);
    expect(asked.splice(0)).toEqual(['250x1']);
    now = 3 * HOUR;
    most.n = Infinity; // the server was upgraded
    await send(wire, attempt);
    await send(wire, attempt);
    expect(asked.splice(0)).toEqual(['1000x8', '1000x8']);
  });

  it('a report that throws changes nothing; a request for fewer messages than the size learnt keeps its own limit', async () => {
    const send = smallerRequests(() => {
      throw new Error('the app\'s report');
    });
    const { attempt, asked } = server({ n: 100 });
    await send({ clientId: 'c1', cursor: 0, pages: 1 }, attempt);
    await send({ clientId: 'c1', cursor: 0, limit: 10, pages: 2 }, attempt);
    expect(asked).toEqual(['1000x1', '500x1', '250x1', '125x1', '63x1', '10x1']);
  });

  it('onAnswerTooLarge must be a function', () => {
    expect(() => createHttpRemote({ url: 'http://127.0.0.1:1', token: 't', onAnswerTooLarge: 1 as never })).toThrow(ValidationError);
  });
});
