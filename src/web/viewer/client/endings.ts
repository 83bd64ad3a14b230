// Why the image went, in plain words, and whether signing in again brings it back.
import type { PageEnding } from '../api-types.js';
import type { PageElements } from './dom.js';

const ENDINGS: Record<PageEnding, { text: string; signIn: boolean }> = {
  locked: { text: 'The viewer locked after a while without use.', signIn: true },
  ended: { text: 'Your session ended.', signIn: true },
  revoked: { text: 'This image was revoked by its sender or an administrator.', signIn: false },
  expired: { text: 'This link expired.', signIn: false },
  deleted: { text: 'This image was deleted under the retention policy and no longer exists.', signIn: false },
  consent: { text: 'Not covered by the patient’s consent: the patient’s recorded consent no longer allows this image to be viewed.', signIn: false },
  denied: { text: 'Your access to this image ended.', signIn: false },
};

/** Covers the stage with the reason, and a sign-in link back to this page when that would help. */
export function showEnding(els: PageElements, reason: PageEnding): void {
  const { text, signIn } = ENDINGS[reason] ?? ENDINGS.denied;
  els.lockedReason.textContent = text;
  els.relogin.hidden = !signIn;
  els.relogin.href = `/auth/login?return=${encodeURIComponent(location.pathname)}`;
  els.locked.hidden = false;
}
