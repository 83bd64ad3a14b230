// Whether a card may carry a preview into the chat, and which. Pure, and
// deny by default: only a channel policy of "deidentified", only a live card
// whose patient's consent still covers viewing, and only an image whose
// preview cannot show who the patient is. A photo may show a face, a tattoo
// or a wristband, so it goes only blurred past recognition; a DICOM image
// only when its header says it has no burned-in text (names and dates are
// often burned into ultrasound and screen captures), rendered from its
// de-identified copy.
import type { PreviewMode } from './channel-policy.js';

export type PreviewStyle = 'blurred' | 'plain';

export interface PreviewCandidate {
  previewMode: PreviewMode;
  /** Active or waiting for its patient, prepared, and its consent not withdrawn. */
  cardLive: boolean;
  family: 'photo' | 'dicom' | undefined;
  /** The DICOM header says No to Burned In Annotation, and the image is not of a kind that usually carries text anyway. */
  burnedInAbsent: boolean;
  /** Loupe holds a cleaned preview of the image to make it from. */
  hasStoredPreview: boolean;
}

export function cardPreviewStyle(c: PreviewCandidate): PreviewStyle | undefined {
  if (c.previewMode !== 'deidentified' || !c.cardLive || !c.hasStoredPreview) return undefined;
  if (c.family === 'photo') return 'blurred';
  if (c.family === 'dicom' && c.burnedInAbsent) return 'plain';
  return undefined;
}
