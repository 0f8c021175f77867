// Errors that cross a boundary carry a stable, machine-readable code (like SqliteError.code);
// the message is for people and may change.

/**
 * Every error code and the HTTP status it answers with. Adding a code is one line here: the union of codes
 * (ErrorCode) is this table's keys, so a code without a status does not compile, and every server answers with
 * the same status for it (access/http-guard.ts httpStatus). 5xx are the server's own faults, never the caller's.
 */
export const ERROR_STATUS = {
  // 400: the request or the data it carries is wrong (the caller's to fix)
  'bad-bundle': 400,
  'bad-checkpoint': 400,
  'bad-config': 400,
  'bad-cosignature': 400,
  'bad-enrolment': 400,
  'bad-entry': 400,
  'bad-evidence': 400,
  'bad-export': 400,
  'bad-input': 400,
  'bad-key': 400,
  'bad-message': 400,
  'bad-note': 400,
  'bad-origin': 400,
  'bad-passwords': 400,
  'bad-payload': 400,
  'bad-proof': 400,
  'bad-proof-request': 400,
  'bad-receipt': 400,
  'bad-record': 400,
  'bad-request': 400,
  'bad-signature': 400,
  'bad-topic': 400,
  'bad-user': 400,
  'bad-value': 400,
  'bad-zone': 400,
  'enrolment-inconsistent': 400,
  'enrolment-too-few-captures': 400,
  'entry-unverified': 400,
  'fork': 400,
  'gap': 400,
  'image-corrupt': 400,
  'image-invalid': 400,
  'image-too-large': 400,
  'image-truncated': 400,
  'image-unreadable': 400,
  'incomplete-evidence': 400,
  'insecure-bind': 400,
  'key-mismatch': 400,
  'key-revoked': 400,
  'malformed': 400,
  'no-checkpoint': 400,
  'non-canonical': 400,
  'not-a-checkin': 400,
  'not-asked': 400,
  'not-covered': 400,
  'not-held': 400,
  'not-jpeg': 400,
  'not-registered': 400,
  'not-registry': 400,
  'origin-required': 400,
  'own-log': 400,
  'pairs-empty': 400,
  'pairs-malformed': 400,
  'personal-data': 400,
  'reason-required': 400,
  'supervision-ended': 400,
  'template-invalid': 400,
  'too-deep': 400,
  'too-large': 400,
  'unknown-witness': 400,
  'untrusted-origin': 400,
  'unverified': 400,
  'weak-password': 400,
  'wrong-centre': 400,
  'wrong-key': 400,
  // 401: no valid session
  'auth-failed': 401,
  'unauthenticated': 401,
  // 403: the caller may not
  'approval-required': 403,
  'forbidden': 403,
  'not-authorized': 403,
  // 404: what was asked for does not exist
  'no-key': 404,
  'no-log': 404,
  'no-person': 404,
  'no-plan': 404,
  'no-user': 404,
  'not-found': 404,
  // 405: the route exists, the method does not
  'method-not-allowed': 405,
  // 413: the body is larger than the route takes
  'body-too-large': 413,
  // 415: the body is not of the type the route takes
  'unsupported-media-type': 415,
  // 409: the request conflicts with the state it found (try again, or it was done already)
  'already-initialised': 409,
  'busy': 409,
  'concurrent-append': 409,
  'exists': 409,
  'face-busy': 409,
  'key-exists': 409,
  'not-initialised': 409,
  'user-exists': 409,
  // 429: too many tries
  'throttled': 429,
  // 500: a fault of this server or its files, never the caller's
  'bad-password-hash': 500,
  'corrupt-alert': 500,
  'enrol-failed': 500,
  'evidence-failed': 500,
  'face-internal': 500,
  'face-worker-exited': 500,
  'file-unreadable': 500,
  'key-file-exposed': 500,
  'key-file-invalid': 500,
  'key-file-unreadable': 500,
  'key-file-unwritable': 500,
  'key-permissions': 500,
  'key-unreadable': 500,
  'log-failed': 500,
  'no-keyring': 500,
  'no-webcrypto': 500,
  'pty.socat': 500,
  'store-corrupt': 500,
  'store-io': 500,
  'store-migration': 500,
  'store-version': 500,
  'unreadable': 500,
  'unsealable': 500,
  'verify-worker': 500,
  'wrong-centre-key': 500,
  // 503: a device, worker or service this server needs is not available now
  'badge.rollover': 503,
  'badge.too-long': 503,
  'broker-listen': 503,
  'camera.refused': 503,
  'camera.timeout': 503,
  'device-down': 503,
  'device.bad-checksum': 503,
  'device.bad-frame': 503,
  'device.closed': 503,
  'device.disconnected': 503,
  'device.noise': 503,
  'device.not-found': 503,
  'device.timeout': 503,
  'device.unexpected-reply': 503,
  'device.unsupported': 503,
  'face-backend-unavailable': 503,
  'face-closed': 503,
  'fingerprint.bad-id': 503,
  'fingerprint.bad-template': 503,
  'fingerprint.flash-error': 503,
  'fingerprint.merge-failed': 503,
  'fingerprint.no-finger': 503,
  'fingerprint.no-match': 503,
  'fingerprint.poor-image': 503,
  'fingerprint.rejected': 503,
  'fingerprint.wrong-password': 503,
  'kiosk-closed': 503,
  'link-closed': 503,
  'not-ready': 503,
  'store-unreadable': 503,
  'subscription-refused': 503,
} as const satisfies Record<string, 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 429 | 500 | 503>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}

export class MusterError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MusterError';
    this.code = code;
  }
}

/** Throws a TypeError naming the argument: for bad input at an API boundary. */
export function badArgument(name: string, expected: string, got: unknown): never {
  throw new TypeError(`${name}: expected ${expected}, got ${describe(got)}`);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return value.length > 40 ? `string of ${value.length} chars` : JSON.stringify(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'array' : 'object';
  return typeof value === 'number' || typeof value === 'boolean' ? `${typeof value} ${value}` : typeof value;
}
