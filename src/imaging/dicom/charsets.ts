// Text in several character sets (ISO 2022 code extensions, PS3.5 6.1.2.5:
// Japanese, Korean, Chinese and mixed Latin files), which dcmjs refuses.
// Before dcmjs reads the file, each Specific Character Set naming several
// sets is overwritten in place with a single-byte one of the same length, so
// dcmjs keeps every text byte as one character; afterwards those values are
// turned back into bytes and decoded segment by segment, switching at each
// escape sequence, as DCMTK and pydicom do. dcmjs writes all text back as
// UTF-8 (ISO_IR 192).
import type { DicomDataset } from './dcmjs.js';

const ESC = 0x1b;
const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN']);
const SPECIFIC_CHARACTER_SET = '00080005';
/** What dcmjs is told instead: one byte, one character (WHATWG maps it to windows-1252, which is reversible). */
const STAND_IN = 'ISO_IR 100';
const STAND_IN_DECODER = new TextDecoder('windows-1252');

/** The decoder of the set each Defined Term starts a value in. */
const INITIAL: Record<string, string> = {
  '': 'windows-1252',
  'ISO 2022 IR 6': 'windows-1252',
  'ISO 2022 IR 13': 'shift_jis',
  'ISO 2022 IR 100': 'iso-8859-1',
  'ISO 2022 IR 101': 'iso-8859-2',
  'ISO 2022 IR 109': 'iso-8859-3',
  'ISO 2022 IR 110': 'iso-8859-4',
  'ISO 2022 IR 126': 'iso-8859-7',
  'ISO 2022 IR 127': 'iso-8859-6',
  'ISO 2022 IR 138': 'iso-8859-8',
  'ISO 2022 IR 144': 'iso-8859-5',
  'ISO 2022 IR 148': 'windows-1254',
  'ISO 2022 IR 166': 'windows-874',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gb18030',
};

/** Escape sequences (PS3.3 C.12.1.1.2), the decoder for what follows, and whether that decoder must see the escape itself. */
const ESCAPES: { seq: Buffer; decoder: string; keep: boolean }[] = [
  ['\x1b(B', 'windows-1252', false],
  ['\x1b(J', 'shift_jis', false],
  ['\x1b)I', 'shift_jis', false],
  ['\x1b$B', 'iso-2022-jp', true],
  ['\x1b$(D', 'iso-2022-jp', true],
  ['\x1b-A', 'iso-8859-1', false],
  ['\x1b-B', 'iso-8859-2', false],
  ['\x1b-C', 'iso-8859-3', false],
  ['\x1b-D', 'iso-8859-4', false],
  ['\x1b-F', 'iso-8859-7', false],
  ['\x1b-G', 'iso-8859-6', false],
  ['\x1b-H', 'iso-8859-8', false],
  ['\x1b-L', 'iso-8859-5', false],
  ['\x1b-M', 'windows-1254', false],
  ['\x1b-T', 'windows-874', false],
  ['\x1b$)C', 'euc-kr', false],
  ['\x1b$)A', 'gb18030', false],
].map(([seq, decoder, keep]) => ({ seq: Buffer.from(seq as string, 'latin1'), decoder: decoder as string, keep: keep as boolean }));

const STAND_IN_BYTES = new Map<string, number>();
for (let b = 0; b < 256; b++) STAND_IN_BYTES.set(STAND_IN_DECODER.decode(Uint8Array.of(b)), b);

/** The bytes dcmjs read, from the text it made of them with the stand-in set. */
function standInBytes(text: string): Buffer {
  return Buffer.from([...text].map((ch) => STAND_IN_BYTES.get(ch) ?? 0x3f));
}

const decoder = (label: string) => new TextDecoder(label);

/** One value (or one component of a person name), decoded as PS3.5 6.1.2.5 says: from the first set, switching at each escape. */
export function decodeIso2022(bytes: Buffer, declared: string[]): string {
  let out = '';
  let current = INITIAL[declared[0]?.trim() ?? ''] ?? 'windows-1252';
  let from = 0;
  while (from < bytes.length) {
    let next = bytes.indexOf(ESC, from + (bytes[from] === ESC ? 1 : 0));
    if (next < 0) next = bytes.length;
    let segment = bytes.subarray(from, next);
    if (segment[0] === ESC) {
      const escape = ESCAPES.find((e) => segment.subarray(0, e.seq.length).equals(e.seq));
      if (escape) {
        current = escape.decoder;
        if (!escape.keep) segment = segment.subarray(escape.seq.length);
      }
    }
    out += decoder(current).decode(segment);
    from = next;
  }
  return out;
}

export interface CodeExtensions {
  bytes: Buffer;
  /** Every Specific Character Set in file order: its original terms when it was replaced, else undefined. */
  declared: (string[] | undefined)[];
}

/** The file with each multi-valued Specific Character Set replaced by the stand-in (same length, so nothing else moves). */
export function neutraliseCodeExtensions(part10: Buffer): CodeExtensions {
  const declared: (string[] | undefined)[] = [];
  let bytes = part10;
  const tag = Buffer.from([0x08, 0x00, 0x05, 0x00]);
  for (let at = part10.indexOf(tag); at >= 0; at = part10.indexOf(tag, at + 4)) {
    const explicit = part10.toString('latin1', at + 4, at + 6) === 'CS';
    const length = explicit ? part10.readUInt16LE(at + 6) : at + 8 <= part10.length ? part10.readUInt32LE(at + 4) : 0;
    const start = at + 8;
    if (length > 256 || start + length > part10.length) continue;
    const value = part10.toString('latin1', start, start + length);
    if (!/^[A-Z0-9_ \\]*$/.test(value)) continue;
    if (!value.includes('\\') || length < STAND_IN.length) {
      declared.push(undefined);
      continue;
    }
    if (bytes === part10) bytes = Buffer.from(part10);
    bytes.write(STAND_IN.padEnd(length, ' '), start, 'latin1');
    declared.push(value.split('\\').map((t) => t.trim()));
  }
  return { bytes, declared };
}

/** Decodes again, from the bytes dcmjs kept, every text value under a replaced Specific Character Set. */
export function decodeCodeExtensions(dataset: DicomDataset, declared: (string[] | undefined)[], inherited?: string[]): void {
  let current = inherited;
  for (const [tag, el] of Object.entries(dataset)) {
    if (tag === SPECIFIC_CHARACTER_SET) {
      current = declared.length ? declared.shift() : current;
      continue;
    }
    if (el.vr === 'SQ') {
      for (const item of (el.Value ?? []) as DicomDataset[]) if (item && typeof item === 'object') decodeCodeExtensions(item, declared, current);
      continue;
    }
    if (!current || !TEXT_VRS.has(el.vr) || !el.Value) continue;
    const terms = current;
    el.Value = el.Value.map((v) => {
      if (typeof v === 'string') return decodeIso2022(standInBytes(v), terms);
      if (el.vr === 'PN' && v && typeof v === 'object') {
        const name = v as Record<string, unknown>;
        // Each component group starts again in the first set (PS3.5 6.2.1).
        return Object.fromEntries(Object.entries(name).map(([k, c]) => [k, typeof c === 'string' ? decodeIso2022(standInBytes(c), terms) : c]));
      }
      return v;
    });
  }
}
