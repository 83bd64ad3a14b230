// Shared by the STOW-RS tests: the real CT they send, and the StowError a
// failed export is expected to end in.
import { expect } from 'vitest';
import { StowError } from '../../src/export/stow-rs.js';

/** pydicom's real CT (Debian's python3-pydicom). */
export const CT_SMALL = '/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm';
export const CT_SMALL_SOP_INSTANCE_UID = '1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322';

/** The StowError `promise` rejects with (the test fails if it resolves or rejects with anything else). */
export async function stowRefusal(promise: Promise<unknown>): Promise<StowError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(StowError);
  return outcome as StowError;
}
