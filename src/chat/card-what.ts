// What a card says its image is, in plain words for either platform (each
// escapes them for its own markup): the kind, modality and body part, and how
// much there is (frames; a study's series and images). Never whose.
import type { AssetSummary } from '../intake/prepare-asset.js';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function cardWhat(f: AssetSummary | undefined): string {
  if (f?.family !== 'dicom') return 'Clinical photo';
  if (f.study) {
    const modalities = [...new Set(f.study.series.map((s) => s.modality).filter(Boolean))].join(', ');
    return [`DICOM study`, modalities || undefined, f.bodyPart, count(f.study.series.length, 'series', 'series'), count(f.study.images, 'image', 'images')].filter(Boolean).join(' · ');
  }
  return ['DICOM image', f.modality, f.bodyPart].filter(Boolean).join(' · ') + (f.frames && f.frames > 1 ? ` · ${f.frames} frames` : '');
}
