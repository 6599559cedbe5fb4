import { useEffect, useRef, useState } from 'react';
import { DEVICE_NAME_RULE } from '../../../shared/app-schema-kit.ts';
import { focusLost } from '../lib/focus-lost.ts';
import { checkText } from '../../../shared/input-rules.ts';
import { useAppStore } from '../store/store-context.ts';
import { Icon } from './Icon.tsx';
import { InlineEdit } from './InlineEdit.tsx';
import { UserText } from './UserText.tsx';

const checkName = (input: unknown) => checkText(input, DEVICE_NAME_RULE);

/** This instance's name, as the others show it (inspector, notices), with Rename. */
export function DeviceName() {
  const device = useAppStore((s) => s.sync?.device ?? null);
  const rename = useAppStore((s) => s.setDeviceName);
  const [editing, setEditing] = useState(false);
  // When the edit ends, focus goes back to Rename, unless the user has moved it elsewhere:
  // the input it was in is gone, and the page would otherwise send it to <body>, the top.
  const button = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (editing || !refocus.current) return;
    refocus.current = false;
    if (focusLost()) button.current?.focus();
  }, [editing]);
  if (device === null) return <dd>…</dd>;
  return (
    <dd className="device-name" data-testid="sync-device">
      {editing ? (
        <InlineEdit initial={device} label="Device name" check={checkName} save={rename} onDone={() => ((refocus.current = true), setEditing(false))} />
      ) : (
        <>
          <UserText value={device} />
          <button ref={button} type="button" className="icon-button icon-button-small" aria-label="Rename this device" title="Rename this device" onClick={() => setEditing(true)}>
            <Icon name="edit" />
          </button>
        </>
      )}
    </dd>
  );
}
