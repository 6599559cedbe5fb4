/**
 * What the scenarios need of a running set of app instances: their pages, a way to stop and
 * start each instance and the server, and the raw API. The browser host (e2e/support/
 * browser-cluster.ts) and Electron (e2e/support/electron-cluster.ts) both provide it, so one
 * scenario runs unchanged against both.
 */
import type { Locator, Page } from '@playwright/test';
import type { Envelope } from '../../src/shared/app-api.ts';

export interface AppInstance {
  /** The profile name, as the sync panel shows it. */
  readonly profile: string;
  /** The instance's window. After `start()` it may be a new page (Electron opens a new window). */
  readonly page: Page;
  /** Stops the instance as a user would (quits the app / stops its host), keeping its profile. */
  stop(): Promise<void>;
  /** Starts it again on the same profile, and waits until its UI is up. */
  start(): Promise<void>;
  /**
   * Calls the API from inside the page, as a compromised or buggy renderer could, without
   * the UI's own input checks: the core must check everything again.
   */
  callApi(method: string, args: readonly unknown[]): Promise<Envelope>;
  /** Puts text on the clipboard and pastes it into an input with the keyboard (Ctrl+V). */
  paste(input: Locator, text: string): Promise<void>;
}

export interface Cluster {
  readonly instances: readonly AppInstance[];
  /**
   * How often the instances sync on a timer (`--sync-interval-ms`), besides after their own
   * writes and at the server's pokes; 0: never; null: the app's default (30 s). A scenario that
   * checks the realtime path asks for 0: an instance that writes nothing then learns of the
   * others' writes only through pokes, however long it waits.
   */
  readonly syncIntervalMs: number | null;
  readonly server: {
    readonly url: string;
    /** A token for the instances' user: another device of theirs (a hostile one, say) syncs with it. */
    readonly token: string;
    /** Stops the sync server (gracefully, as an operator restarting it would). */
    stop(): Promise<void>;
    /** Starts it again on the same port and database. */
    start(): Promise<void>;
  };
  /** Images of the instances side by side, in one PNG. */
  sideBySide(images: readonly Buffer[]): Promise<Buffer>;
}
