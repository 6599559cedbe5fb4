/** Is a Fieldsync server answering at this URL? `GET /healthz` answers 200 with `{"ok":true,...}`. */

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{ status: number; json(): Promise<unknown> }>;

export async function serverIsUp(serverUrl: string, fetchFn: FetchLike = fetch, timeoutMs = 1500): Promise<boolean> {
  try {
    const response = await fetchFn(`${serverUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return false;
    const body = (await response.json()) as { ok?: unknown } | null;
    return body !== null && typeof body === 'object' && body.ok === true;
  } catch {
    return false;
  }
}

/** Polls until the server answers, or gives up after `timeoutMs`. */
export async function waitForServer(serverUrl: string, timeoutMs: number, fetchFn: FetchLike = fetch, stillStarting: () => boolean = () => true): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillStarting()) {
    if (await serverIsUp(serverUrl, fetchFn)) return true;
    await new Promise((r) => setTimeout(r, 150));
  }
  return false;
}
