// What the imaging sandbox's children can be asked to do, and how they do it
// (in the child process, on its own event loop).
import { prepareAssetInProcess, type Prepared } from '../../intake/prepare-asset.js';
import { cardThumbnail, type CardThumbnail, type ThumbnailStyle } from '../card-thumbnail.js';
import { cleanFileOnDisk, type CleanFileOptions, type CleanedOnDisk } from '../clean-file.js';
import { Deidentifier } from '../dicom/deidentify.js';
import type { ImagingLimits } from '../limits.js';
import { asBuffer } from './as-buffer.js';
import { InstanceView, type ViewAnswer, type ViewRequest } from '../view/instance-view.js';
import { StudyArchiveTask, type StudyAnswer, type StudyRequest } from '../study/study-task.js';
import { pacsPhoto, type PacsPhotoOptions } from '../pacs-photo.js';
import type { VlPhotographicFile } from '../dicom/vl-photographic.js';
import { teachingCopyInProcess, type TeachingCopy, type TeachingCopyOptions } from '../teaching-copy.js';

export interface Tasks {
  /** An upload's original, cleaned copy, preview and facts (see prepareAsset). */
  prepare: { input: { bytes: Uint8Array; limits: ImagingLimits; secret: Uint8Array }; output: Prepared };
  /** `loupe deidentify` of one file: its cleaned copy written to `output`. */
  cleanFile: { input: CleanFileOptions & { input: string; output: string }; output: CleanedOnDisk };
  /** The viewer's questions about a stored DICOM original: its facts, or one decoded frame. */
  view: { input: ViewRequest; output: ViewAnswer };
  /** A teaching share's de-identified copy of an original (see teaching-copy.ts). */
  teachingCopy: { input: TeachingCopyOptions & { bytes: Uint8Array }; output: TeachingCopy };
  /** A card's small preview, from the asset's stored preview (see card-thumbnail.ts). */
  cardThumbnail: { input: { bytes: Uint8Array; style: ThumbnailStyle }; output: CardThumbnail };
  /** A study archive's listing, or one of its entries prepared (see study-task.ts). */
  study: { input: StudyRequest; output: StudyAnswer };
  /** A stored photo as a VL Photographic Image for the PACS (see pacs-photo.ts). */
  pacsPhoto: { input: { bytes: Uint8Array; photo: PacsPhotoOptions }; output: VlPhotographicFile };
}

export type TaskName = keyof Tasks;
export type TaskInput<N extends TaskName> = Tasks[N]['input'];
export type TaskOutput<N extends TaskName> = Tasks[N]['output'];

export function taskRunners(): { [N in TaskName]: (input: TaskInput<N>) => Promise<TaskOutput<N>> } {
  const deidentifier = new Deidentifier();
  const view = new InstanceView();
  const study = new StudyArchiveTask(deidentifier);
  return {
    study: (i) => study.answer(i),
    view: (i) => view.answer(i),
    prepare: (i) => prepareAssetInProcess(asBuffer(i.bytes), { limits: i.limits, secret: i.secret, deidentifier }),
    teachingCopy: (i) => teachingCopyInProcess(asBuffer(i.bytes), { limits: i.limits, secret: asBuffer(i.secret) }, deidentifier),
    cardThumbnail: (i) => cardThumbnail(asBuffer(i.bytes), i.style),
    pacsPhoto: (i) => pacsPhoto(asBuffer(i.bytes), i.photo),
    cleanFile: (i) => cleanFileOnDisk(i.input, i.output, { ...i, secret: asBuffer(i.secret) }, deidentifier),
  };
}
