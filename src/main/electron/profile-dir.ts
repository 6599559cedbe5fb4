/**
 * The profile's data directory becomes Electron's userData, before `ready`, in this order:
 * created (owner only) → `app.setPath('userData')` → the single-instance lock. Structural
 * types, so it is tested under plain Node with fakes; Electron's `app` fits this shape.
 */

export interface ProfileDirApp {
  setPath(name: 'userData', path: string): void;
  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean;
}

export interface ProfileDirOptions {
  /** launch-args.ts's profileDataDir: <data root>/<app name>/profiles/<profile>. */
  readonly dir: string;
  readonly profile: string;
  /** Creates the folder, owner only, tightens an existing one, and refuses another user's (own-profile.ts). */
  readonly ensureDir: (dir: string) => void;
}

/** Whether this instance holds the profile's lock (false: the profile is open elsewhere). */
export function claimProfileDir(app: ProfileDirApp, o: ProfileDirOptions): boolean {
  // Electron's setPath throws for a directory that does not exist (electron.d.ts, app.setPath),
  // and on a first launch <app data>/<app name>/profiles/<profile> does not.
  o.ensureDir(o.dir);
  app.setPath('userData', o.dir);
  // The lock is scoped to userData (electron.d.ts, requestSingleInstanceLock), so it comes
  // after setPath: one lock per profile.
  return app.requestSingleInstanceLock({ profile: o.profile });
}
