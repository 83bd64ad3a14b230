// New DICOM UIDs for instances Loupe creates (an exported photo's study,
// series and instance). Under the organisation's own root when it has one
// (PACS admins recognise where an object came from); otherwise under 2.25, a
// UUID as one decimal integer (PS3.5 B.2), which needs no registration.
import { randomBytes, randomUUID } from 'node:crypto';
import { ErrorCode, LoupeError } from '../../core/errors.js';

const MAX_UID = 64;
/** Random digits a UID under a root keeps at least: 20 decimal digits are over 64 bits. */
const MIN_RANDOM_DIGITS = 20;
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isUid(value: string): boolean {
  return value.length <= MAX_UID && UID.test(value);
}

/** A root new UIDs can be derived under: a valid UID leaving room for enough random digits. */
export function isUidRoot(root: string): boolean {
  return isUid(root) && MAX_UID - root.length - 1 >= MIN_RANDOM_DIGITS;
}

export function newUid(root?: string): string {
  if (root === undefined) return `2.25.${BigInt(`0x${randomUUID().replaceAll('-', '')}`).toString()}`;
  const room = MAX_UID - root.length - 1;
  if (!isUidRoot(root)) throw new LoupeError(ErrorCode.InvalidInput, 'the UID root is not a valid UID or is too long to derive UIDs under');
  // 128 random bits as decimal (no leading zero), cut to what fits.
  return `${root}.${BigInt(`0x${randomBytes(16).toString('hex')}`).toString().slice(0, room)}`;
}
