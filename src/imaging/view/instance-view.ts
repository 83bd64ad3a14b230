// What the viewer asks of a stored DICOM original, answered in an imaging
// sandbox child: the facts its page shows and one decoded frame at a time. A
// child holds the one instance it was last sent (parsed once, not once per
// frame), so stepping through a series sends the file across only once.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { Codecs } from '../dicom/codecs.js';
import { framePixels, type FramePixels } from '../dicom/frame-pixels.js';
import { readInstance, type DicomInstance } from '../dicom/parse.js';
import type { ImagingLimits } from '../limits.js';
import { asBuffer } from '../sandbox/as-buffer.js';
import { viewFacts, type ViewFacts } from './view-facts.js';

export type { ViewFacts };

const LOSSY_SYNTAXES = new Set(['1.2.840.10008.1.2.4.50', '1.2.840.10008.1.2.4.51', '1.2.840.10008.1.2.4.81', '1.2.840.10008.1.2.4.91']);

export type GreyDisplay = Omit<Extract<FramePixels, { kind: 'grey' }>, 'kind' | 'data' | 'rows' | 'columns'>;

export interface ViewInfo {
  facts: ViewFacts;
  lossy: boolean;
  /** How a greyscale image is displayed (from its first frame); absent for colour. */
  grey?: GreyDisplay;
}

export type ViewRequest = {
  /** Names the file (its asset), so a child that holds it is sent no bytes. */
  key: string;
  /** The original; absent when the child already holds `key`. */
  file?: Uint8Array;
  limits: ImagingLimits;
} & ({ op: 'facts' } | { op: 'info' } | { op: 'frame'; index: number });

export type ViewAnswer = { op: 'facts'; facts: ViewFacts } | { op: 'info'; info: ViewInfo } | { op: 'frame'; frame: FramePixels };

/** How long an idle child keeps the instance it holds; the parent counts on it for a little less. */
export const HOLD_MS = 60_000;

export class InstanceView {
  private held: { key: string; instance: DicomInstance; facts: ViewFacts; syntax: string; lossy: boolean; first?: FramePixels } | undefined;
  private dropTimer: NodeJS.Timeout | undefined;
  private readonly codecs = new Codecs();

  async answer(request: ViewRequest): Promise<ViewAnswer> {
    const held = this.hold(request);
    if (request.op === 'facts') return { op: 'facts', facts: held.facts };
    if (request.op === 'info') {
      // Kept: the page asks for the first frame right after (decoded once, not twice).
      const first = (held.first ??= await framePixels(held.instance, held.syntax, 0, this.codecs));
      const grey =
        first.kind === 'grey'
          ? { encoding: first.encoding, slope: first.slope, intercept: first.intercept, invert: first.invert, voiFunction: first.voiFunction, presets: first.presets, bitsStored: first.bitsStored }
          : undefined;
      return { op: 'info', info: { facts: held.facts, lossy: held.lossy, ...(grey ? { grey } : {}) } };
    }
    if (!Number.isInteger(request.index) || request.index < 0 || request.index >= held.facts.frames) {
      throw new LoupeError(ErrorCode.InvalidInput, 'no such frame');
    }
    const frame = request.index === 0 && held.first ? held.first : await framePixels(held.instance, held.syntax, request.index, this.codecs);
    return { op: 'frame', frame };
  }

  private hold(request: ViewRequest) {
    clearTimeout(this.dropTimer);
    // An idle child should not keep a patient's image in memory for ever.
    this.dropTimer = setTimeout(() => (this.held = undefined), HOLD_MS).unref();
    if (request.file) {
      this.held = undefined;
      const instance = readInstance(asBuffer(request.file), request.limits);
      const facts = viewFacts(instance.dicom);
      const syntax = facts.transferSyntax ?? '';
      const lossy = LOSSY_SYNTAXES.has(syntax) || String(instance.dicom.dict['00282110']?.Value?.[0] ?? '') === '01';
      this.held = { key: request.key, instance, facts, syntax, lossy };
    }
    if (this.held?.key !== request.key) throw new LoupeError(ErrorCode.ImageNotHeld, 'the imaging sandbox does not hold that file');
    return this.held;
  }
}
