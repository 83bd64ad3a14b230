// The browser's view of the viewer API (src/web/viewer/api-types.ts) against
// the server's own types: a field renamed or retyped on either side fails the
// typecheck (`npm test` runs it first) until the routes declare their answers
// with these types themselves.
import { describe, expectTypeOf, it } from 'vitest';
import type { FramePixels, WindowPreset as ServerPreset } from '../../src/imaging/dicom/frame-pixels.js';
import type { GreyDisplay } from '../../src/imaging/view/instance-view.js';
import type { FrameEncoding, GreyFormat, StatusResponse, WindowPreset } from '../../src/web/viewer/api-types.js';
import type { PageStatus } from '../../src/web/viewer/page-status.js';

type GreyFrame = Extract<FramePixels, { kind: 'grey' }>;

describe('the viewer API types the page reads', () => {
  it('are the status the server answers', () => {
    expectTypeOf<StatusResponse>().toEqualTypeOf<PageStatus>();
  });

  it('are the greyscale description and window presets the server sends with a DICOM', () => {
    expectTypeOf<WindowPreset>().toEqualTypeOf<ServerPreset>();
    expectTypeOf<GreyFormat>().toEqualTypeOf<GreyDisplay>();
    expectTypeOf<FrameEncoding>().toEqualTypeOf<GreyFrame['encoding']>();
  });
});
