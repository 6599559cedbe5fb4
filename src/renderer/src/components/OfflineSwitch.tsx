interface Props {
  readonly offline: boolean;
  readonly onChange: (offline: boolean) => void;
}

/** "Work offline": cuts only this window's instance off, to watch the others diverge. */
export function OfflineSwitch({ offline, onChange }: Props) {
  return (
    <button type="button" role="switch" aria-checked={offline} className="switch" data-testid="work-offline-switch" onClick={() => onChange(!offline)}>
      <span className="switch-track" aria-hidden="true">
        <span className="switch-thumb" />
      </span>
      <span className="switch-label">Work offline</span>
    </button>
  );
}
