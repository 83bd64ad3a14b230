// A study (asset kind dicom_study) as the viewer addresses it: the series a
// request's `series=k` names (the first when absent), and what a series is
// called in the Series chooser and thumbnail strip (its modality, number and
// size; never whose it is).
import { stackLength, type StudySeries, type StudySummary } from '../../intake/study-summary.js';

/** Series `raw` of the study (a whole number within it, the first when absent); undefined when it names none, or an empty one. */
export function chosenSeries(study: StudySummary, raw: unknown): { index: number; series: StudySeries } | undefined {
  const text = raw ?? '0';
  if (typeof text !== 'string' || !/^\d{1,6}$/.test(text)) return undefined;
  const index = Number(text);
  const series = study.series[index];
  return series && stackLength(series) > 0 ? { index, series } : undefined;
}

/** "CT CHEST · series 3 · 120 images": the series' own modality (else the study's), body part, number (else its place) and length. */
export function seriesLabel(series: StudySeries, index: number, studyModality?: string): string {
  const what = [series.modality ?? studyModality, series.bodyPart].filter(Boolean).join(' ') || 'DICOM';
  const images = stackLength(series);
  return `${what} · series ${series.number ?? index + 1} · ${images} ${images === 1 ? 'image' : 'images'}`;
}
