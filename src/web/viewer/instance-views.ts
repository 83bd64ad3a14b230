// The viewer's side of the imaging sandbox: a stored DICOM original's facts
// and frames are decoded in a sandbox child (a hostile frame costs a child,
// never the server's event loop), and the child keeps the instance parsed, so
// frame after frame of one image sends the file across once.
import { ErrorCode, isLoupeError } from '../../core/errors.js';
import type { FramePixels } from '../../imaging/dicom/frame-pixels.js';
import type { ImagingLimits } from '../../imaging/limits.js';
import { asBuffer } from '../../imaging/sandbox/as-buffer.js';
import type { ImagingSandbox } from '../../imaging/sandbox/sandbox.js';
import type { ViewFacts, ViewInfo, ViewRequest } from '../../imaging/view/instance-view.js';

type Op = { op: 'facts' } | { op: 'info' } | { op: 'frame'; index: number };

export class InstanceViews {
  constructor(
    private readonly sandbox: ImagingSandbox,
    private readonly limits: ImagingLimits,
  ) {}

  async facts(assetId: string, original: Buffer): Promise<ViewFacts> {
    const answer = await this.ask(assetId, original, { op: 'facts' });
    if (answer.op !== 'facts') throw new Error('the imaging sandbox answered another question');
    return answer.facts;
  }

  async info(assetId: string, original: Buffer): Promise<ViewInfo> {
    const answer = await this.ask(assetId, original, { op: 'info' });
    if (answer.op !== 'info') throw new Error('the imaging sandbox answered another question');
    return answer.info;
  }

  async frame(assetId: string, original: Buffer, index: number): Promise<FramePixels> {
    const answer = await this.ask(assetId, original, { op: 'frame', index });
    if (answer.op !== 'frame') throw new Error('the imaging sandbox answered another question');
    const f = answer.frame;
    // Structured clone delivers Uint8Arrays; the routes send Buffers.
    if (f.kind === 'grey') return { ...f, data: asBuffer(f.data) };
    if (f.kind === 'rgb') return { ...f, png: asBuffer(f.png) };
    return f;
  }

  private async ask(assetId: string, original: Buffer, op: Op) {
    const request = (send: boolean): ViewRequest => ({ key: assetId, limits: this.limits, ...op, ...(send ? { file: original } : {}) });
    try {
      return await this.sandbox.runHeld('view', assetId, original.length, (held) => request(!held));
    } catch (error) {
      // The child let the file go (it was idle too long, or it was replaced): send it once more.
      if (!isLoupeError(error, ErrorCode.ImageNotHeld)) throw error;
      return this.sandbox.runHeld('view', assetId, original.length, () => request(true));
    }
  }
}
