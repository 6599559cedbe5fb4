/**
 * Splits an HLC (`2026-11-24T15:09:39.123Z-0000-k3J9x2QpL0aa`, see docs/protocol.md §2) into the
 * parts the inspector shows. The renderer only displays HLCs, so a malformed one is shown raw.
 */
export interface HlcParts {
  readonly date: string;
  readonly time: string;
  readonly counter: string;
  readonly clientId: string;
}

const HLC = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}\.\d{3})Z-([0-9A-F]{4})-(.+)$/;

export function hlcParts(hlc: string): HlcParts | null {
  const m = HLC.exec(hlc);
  if (!m) return null;
  return { date: m[1] as string, time: m[2] as string, counter: m[3] as string, clientId: m[4] as string };
}
