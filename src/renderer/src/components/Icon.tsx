/** A small set of stroke icons, inline so they follow `currentColor` and need no requests. */
const PATHS = {
  check: 'M3.5 8.5l3 3 6-7',
  up: 'M4 10l4-4 4 4',
  down: 'M4 6l4 4 4-4',
  edit: 'M10.5 3.5l2 2L6 12H4v-2zM9 5l2 2',
  trash: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.6 8.5h5.8l.6-8.5',
  plus: 'M8 3v10M3 8h10',
  close: 'M4 4l8 8M12 4l-8 8',
  grip: 'M6 4h.01M10 4h.01M6 8h.01M10 8h.01M6 12h.01M10 12h.01',
  sync: 'M12.5 6A4.7 4.7 0 0 0 4 5.2L3 6.5M3 3v3.5h3.5M3.5 10a4.7 4.7 0 0 0 8.5.8l1-1.3M13 13V9.5H9.5',
  outgoing: 'M8 13V3M4 7l4-4 4 4',
  incoming: 'M8 3v10M4 9l4 4 4-4',
  chevron: 'M6 4l4 4-4 4',
  alert: 'M8 2.5l6 11H2zM8 6.5v3M8 11.5h.01',
  lists: 'M6 4h7M6 8h7M6 12h7M3 4h.01M3 8h.01M3 12h.01',
  history: 'M2.5 8a5.5 5.5 0 1 0 1.6-3.9L2.5 5.7M2.5 2.5v3.2h3.2M8 5v3.2l2 1.3',
  search: 'M7 2.5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 1 1 0-9zM10.3 10.3l3.2 3.2',
  network: 'M2 6.5a8.5 8.5 0 0 1 12 0M4.2 8.8a5.4 5.4 0 0 1 7.6 0M6.4 11.1a2.3 2.3 0 0 1 3.2 0M8 13.2h.01',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg className={`icon ${className ?? ''}`} viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} />
    </svg>
  );
}
