/** New row ids: 16 characters of base64url, 96 random bits, so two devices never pick the same. */
import { randomBytes } from 'node:crypto';

export function newId(): string {
  return randomBytes(12).toString('base64url');
}
