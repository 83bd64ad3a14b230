// The one place dcmjs is imported. Its logger is module-wide and prints tag
// values (patient data) on parse warnings, so it is silenced here, once.
import dcmjs from 'dcmjs';

dcmjs.log.setLevel('silent');
for (const name of ['validation.dcmjs', 'AsyncDicomReader']) dcmjs.log.getLogger(name).setLevel('silent');

export type DicomElement = { vr: string; Value?: unknown[]; InlineBinary?: string; _rawValue?: unknown };
export type DicomDataset = Record<string, DicomElement>;
export interface DicomDict {
  meta: DicomDataset;
  dict: DicomDataset;
  write(options?: Record<string, unknown>): ArrayBuffer;
}

interface DcmjsData {
  DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDict };
  DicomDict: new (meta: DicomDataset) => DicomDict;
  DicomMetaDictionary: { dictionary: Record<string, { vr: string; name: string } | undefined> };
}

export const dicomData = (dcmjs as unknown as { data: DcmjsData }).data;

/** The data dictionary's VR for a tag ("GGGGEEEE"), if it has one. */
export function dictionaryVr(tag: string): string | undefined {
  const t = tag.toUpperCase();
  return dicomData.DicomMetaDictionary.dictionary[`(${t.slice(0, 4)},${t.slice(4)})`]?.vr;
}
