/**
 * Errors across threads: a structured clone keeps an Error's message but not its class or
 * its own fields, so the SQLite store's threads send errors as WireErrors and the event loop
 * makes them errors again, ProtocolErrors (their HTTP answers) and SQLite's codes included.
 */
import { ProtocolError } from 'fieldsync/server';

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code: string | undefined;
  /** SQLite's result code, for node:sqlite's errors (SQLITE_FULL: the server's storage is full). */
  readonly errcode?: number | undefined;
  /** For a ProtocolError. */
  readonly index?: number | undefined;
  readonly serverTime?: string | undefined;
}

export const toWire = (err: unknown): WireError => {
  if (err instanceof ProtocolError) return { name: err.name, message: err.message, code: err.code, index: err.index, serverTime: err.serverTime };
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), code: undefined };
  const { code, errcode } = err as { code?: unknown; errcode?: unknown };
  return { name: err.name, message: err.message, code: code === undefined ? undefined : String(code), errcode: typeof errcode === 'number' ? errcode : undefined };
};

export function fromWire(e: WireError): Error {
  if (e.name === 'ProtocolError') return new ProtocolError(e.code as ProtocolError['code'], e.message, e.index, e.serverTime);
  const err = new Error(e.message);
  err.name = e.name;
  if (e.code !== undefined) (err as Error & { code?: string }).code = e.code;
  if (e.errcode !== undefined) (err as Error & { errcode?: number }).errcode = e.errcode;
  return err;
}
