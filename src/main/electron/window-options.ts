/** The main window's settings, as a plain object (tested under Node; used by window.ts). */
import { windowTitle } from './launch-args.ts';
import { MIN_HEIGHT, MIN_WIDTH, type Rect } from './tile.ts';

export function windowOptions(o: { appName: string; profile: string; preload: string; bounds: Rect | null }) {
  return {
    title: windowTitle(o.appName, o.profile),
    ...(o.bounds ?? { width: 1100, height: 760 }),
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false, // shown once painted, without a white flash
    backgroundColor: '#f7f7f5',
    autoHideMenuBar: true,
    webPreferences: {
      preload: o.preload,
      // The page gets only the API the preload exposes: no Node, no Electron, no require.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  } as const;
}
