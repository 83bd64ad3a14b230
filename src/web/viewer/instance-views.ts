// The viewer's side of the imaging sandbox: a stored DICOM original's facts
// and frames are decoded in a sandbox child (a hostile frame costs a child,
// never the server's event loop), and the child keeps the instance parsed, so
// frame after frame of one image sends the file across once. The original is
// read (decrypted) only when no child holds it: a child is asked first
// without it, and sent it only when it answers that it does not hold it.
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import type { FramePixels } from '../../imaging/dicom/frame-pixels.js';
import type { ImagingLimits } from '../../imaging/limits.js';
import { asBuffer } from '../../imaging/sandbox/as-buffer.js';
import type { ImagingSandbox } from '../../imaging/sandbox/sandbox.js';
import type { ViewFacts, ViewInfo, ViewRequest } from '../../imaging/view/instance-view.js';

type Op = { op: 'facts' } | { op: 'info' } | { op: 'frame'; index: number };

/**
 * A stored original as the sandbox needs it: the key a child holds it under
 * (its asset, and for a study's instance its part too, so that instances
 * never mix), its size (for the task's budget), and how to read it.
 */
export interface OriginalSource {
  key: string;
  bytes: number;
  read: () => Promise<Buffer>;
}

export class InstanceViews {
  constructor(
    private readonly sandbox: ImagingSandbox,
    private readonly limits: ImagingLimits,
  ) {}

  async facts(original: OriginalSource): Promise<ViewFacts> {
    const answer = await this.ask(original, { op: 'facts' });
    if (answer.op !== 'facts') throw new Error('the imaging sandbox answered another question');
    return answer.facts;
  }

  async info(original: OriginalSource): Promise<ViewInfo> {
    const answer = await this.ask(original, { op: 'info' });
    if (answer.op !== 'info') throw new Error('the imaging sandbox answered another question');
    return answer.info;
  }

  async frame(original: OriginalSource, index: number): Promise<FramePixels> {
    const answer = await this.ask(original, { op: 'frame', index });
    if (answer.op !== 'frame') throw new Error('the imaging sandbox answered another question');
    const f = answer.frame;
    // Structured clone delivers Uint8Arrays; the routes send Buffers.
    if (f.kind === 'grey') return { ...f, data: asBuffer(f.data) };
    if (f.kind === 'rgb') return { ...f, png: asBuffer(f.png) };
    return f;
  }

  private async ask(original: OriginalSource, op: Op) {
    const request = (file?: Buffer): ViewRequest => ({ key: original.key, limits: this.limits, ...op, ...(file ? { file } : {}) });
    try {
      // Without the file: the child holding it answers; another says it does not hold it.
      return await this.sandbox.runHeld('view', original.key, original.bytes, () => request());
    } catch (error) {
      if (!isLoupeError(error, ErrorCode.ImageNotHeld)) throw error;
    }
    const file = await original.read();
    return this.sandbox.runHeld('view', original.key, file.length, () => request(file));
  }
}
