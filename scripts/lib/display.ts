/**
 * Whether this machine has a screen for windows: always on macOS and Windows; elsewhere
 * (Linux, the BSDs) when an X11 or Wayland session is named in the environment. Over SSH or
 * in a container there is none: Electron's windows would exit at once, and a browser
 * opener has nothing to open on.
 */
export function hasDisplay(platform: NodeJS.Platform, env: Readonly<Record<string, string | undefined>>): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}
