/** "12 s ago": short enough for a 600-pixel window, precise enough to watch a sync happen. */
export function relativeTime(then: number | null, now: number): string {
  if (then === null) return 'never';
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(then).toLocaleDateString();
}

/** "in 8 s": when the next automatic retry comes. */
export function timeUntil(then: number, now: number): string {
  const seconds = Math.ceil((then - now) / 1000);
  if (seconds <= 0) return 'now';
  return seconds < 60 ? `in ${seconds} s` : `in ${Math.ceil(seconds / 60)} min`;
}
