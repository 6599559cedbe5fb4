import type { NetworkConditions } from '../../../shared/app-api.ts';
import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';

/** The simulated networks on offer, from perfect to none at all. */
export const NETWORK_PRESETS: readonly { readonly id: string; readonly label: string; readonly conditions: NetworkConditions }[] = [
  { id: 'normal', label: 'Normal', conditions: { latencyMs: 0, dropRate: 0 } },
  { id: 'slow', label: 'Slow (+1 s per request)', conditions: { latencyMs: 1000, dropRate: 0 } },
  { id: 'very-slow', label: 'Very slow (+3 s per request)', conditions: { latencyMs: 3000, dropRate: 0 } },
  { id: 'lossy', label: 'Lossy (half the requests dropped)', conditions: { latencyMs: 0, dropRate: 0.5 } },
  { id: 'slow-lossy', label: 'Slow and lossy (+1 s, 30% dropped)', conditions: { latencyMs: 1000, dropRate: 0.3 } },
  { id: 'down', label: 'Down (every request dropped)', conditions: { latencyMs: 0, dropRate: 1 } },
];

const same = (a: NetworkConditions, b: NetworkConditions): boolean => a.latencyMs === b.latencyMs && a.dropRate === b.dropRate;

/**
 * Simulates a slow or lossy network for this instance (in the app core, so it works the same
 * under Electron): watch the sync state go offline, retry and recover without switching
 * anything off.
 */
export function NetworkControl() {
  const network = useAppStore((s) => s.sync?.network ?? null);
  const setNetwork = useAppStore((s) => s.setNetwork);
  const current = network === null ? NETWORK_PRESETS[0] : NETWORK_PRESETS.find((p) => same(p.conditions, network));
  const custom = network !== null && current === undefined;
  return (
    <label className={`network-control${current?.id !== 'normal' ? ' is-degraded' : ''}`}>
      <Icon name="network" />
      <span className="network-label">Network</span>
      <select
        className="network-select"
        data-testid="network-select"
        value={custom ? 'custom' : (current?.id ?? 'normal')}
        onChange={(e) => {
          const preset = NETWORK_PRESETS.find((p) => p.id === e.target.value);
          if (preset) void setNetwork(preset.conditions);
        }}
      >
        {NETWORK_PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.label}
          </option>
        ))}
        {custom && <option value="custom">{`Custom (+${network.latencyMs} ms, ${Math.round(network.dropRate * 100)}% dropped)`}</option>}
      </select>
    </label>
  );
}
