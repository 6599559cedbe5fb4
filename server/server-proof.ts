/**
 * How a launcher learns that the server answering at a URL holds its secret before it hands
 * that server a token (docs/protocol.md, `GET /healthz`). Anything may listen on a loopback
 * port, another local user's program included, and `{"ok":true}` proves nothing: the launcher
 * sends a fresh random challenge and checks the answer against its own copy of the secret.
 *
 * The proof is an HMAC of the challenge under a key derived from the secret, never under the
 * secret itself: that is the tokens' signing key, and an endpoint that signed what anyone
 * sends it with that key would sign their tokens too.
 */
import { createHmac } from 'node:crypto';

/** A challenge as `/healthz` takes one: 16 to 128 URL-safe base64 characters. */
export const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** The key proofs are made with; derive it once and keep it (see `proofWith`). */
export function proofKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('fieldsync server proof v1').digest();
}

/** The proof of `challenge` under a key from `proofKey`. */
export function proofWith(key: Buffer, challenge: string): string {
  return createHmac('sha256', key).update(challenge).digest('base64url');
}

/** The proof of `challenge` that a server with `secret` answers: what a launcher expects. */
export const serverProof = (secret: string, challenge: string): string => proofWith(proofKey(secret), challenge);
