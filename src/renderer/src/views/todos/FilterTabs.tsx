import { useRef, type KeyboardEvent } from 'react';

/** Which todos the open list shows. */
export type TodoFilter = 'all' | 'active' | 'done';

const FILTERS: ReadonlyArray<{ value: TodoFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'done', label: 'Done' },
];

interface Props {
  readonly value: TodoFilter;
  readonly counts: Readonly<Record<TodoFilter, number>>;
  readonly onChange: (filter: TodoFilter) => void;
  /** The id of the element the tabs control (the todo list's panel). */
  readonly panelId: string;
}

/** All / Active / Done, as tabs: arrow keys move between them, as in any tab list. */
export function FilterTabs({ value, counts, onChange, panelId }: Props) {
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);

  const onKeyDown = (event: KeyboardEvent, index: number) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    const to = event.key === 'Home' ? 0 : event.key === 'End' ? FILTERS.length - 1 : (index + step + FILTERS.length) % FILTERS.length;
    if (step === 0 && event.key !== 'Home' && event.key !== 'End') return;
    event.preventDefault();
    onChange((FILTERS[to] as (typeof FILTERS)[number]).value);
    tabs.current[to]?.focus();
  };

  return (
    <div className="filter-tabs" role="tablist" aria-label="Show todos">
      {FILTERS.map((f, i) => (
        <button
          key={f.value}
          ref={(el) => {
            tabs.current[i] = el;
          }}
          type="button"
          role="tab"
          id={`filter-${f.value}`}
          className="filter-tab"
          aria-selected={value === f.value}
          aria-controls={panelId}
          tabIndex={value === f.value ? 0 : -1}
          data-testid={`filter-${f.value}`}
          onClick={() => onChange(f.value)}
          onKeyDown={(e) => onKeyDown(e, i)}
        >
          {f.label}
          <span className="filter-count" data-testid={`filter-${f.value}-count`}>
            {counts[f.value]}
          </span>
        </button>
      ))}
    </div>
  );
}
