import { Icon } from '../components/Icon.tsx';
import type { AppView } from '../views/app-view.ts';

interface Props {
  readonly views: readonly AppView[];
  readonly current: string;
  readonly onChange: (id: string) => void;
}

/** The header's choice of view, when the app has more than one: plain buttons, one tab stop each. */
export function ViewSwitcher({ views, current, onChange }: Props) {
  return (
    <nav className="view-switcher" aria-label="Views">
      {views.map((v) => (
        <button
          key={v.id}
          type="button"
          className="view-button"
          aria-current={v.id === current ? 'page' : undefined}
          data-testid={`view-${v.id}`}
          onClick={() => onChange(v.id)}
        >
          <Icon name={v.icon} />
          {v.label}
        </button>
      ))}
    </nav>
  );
}
