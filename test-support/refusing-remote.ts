/**
 * A remote in front of another that refuses every push holding `value`, as a server refuses a
 * message too large: a 413 at that message's index. The client then sets the message aside
 * and its cell falls back to the best message the server holds.
 */
import { RemoteError, type JsonValue, type Remote } from 'fieldsync';

export function refusingRemote(next: Remote, value: JsonValue): Remote {
  return {
    sync: (request, options) => {
      const at = (request.messages ?? []).findIndex((m) => m.value === value);
      if (at >= 0) return Promise.reject(new RemoteError(413, 'payload_too_large', 'request body too large', { index: at }));
      return next.sync(request, options);
    },
  };
}
