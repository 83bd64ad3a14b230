// dcmjs reads a sequence sent as UN (of undefined length, or a defined length
// holding items) in the file's explicit VR, though the standard encodes its items in implicit VR
// little endian (PS3.5 6.2.2), and then writes garbage lengths back. In an
// implicit VR file, it cannot tell a private sequence of undefined length from
// a value and reads past its end. Such top-level elements are taken out
// before dcmjs reads the file, so that their items can be read as the
// implicit datasets they are (DCMTK and pydicom read both as sequences).
import { dictionaryVr } from './dcmjs.js';
import { implicitItems, layoutOf, topLevelElements } from './layout.js';
import { TransferSyntax } from './syntax.js';

export interface LiftedSequence {
  /** "GGGGEEEE", as dcmjs keys its dataset. */
  tag: string;
  /** Each item's content, implicit VR little endian. */
  items: Buffer[];
}

const ITEM_START = Buffer.from([0xfe, 0xff, 0x00, 0xe0]);
const PIXEL_DATA = 0x7fe00010;
const hex = (tag: number) => tag.toString(16).toUpperCase().padStart(8, '0');
const undefinedLength = (part10: Buffer, start: number) => part10.readUInt32LE(start + 8) === 0xffffffff;

export function liftUnSequences(part10: Buffer): { bytes: Buffer; lifted: LiftedSequence[] } {
  const layout = layoutOf(part10);
  const syntax = layout.transferSyntax;
  if (syntax === TransferSyntax.ExplicitBig || syntax === TransferSyntax.Deflated) return { bytes: part10, lifted: [] };
  const implicit = syntax === TransferSyntax.ImplicitLittle || layout.implicitDataset;
  const lifted: LiftedSequence[] = [];
  const kept: Buffer[] = [];
  let from = 0;
  for (const span of topLevelElements(part10, layout)) {
    const value = part10.subarray(span.valueStart, span.end);
    // Implicit VR: an element of undefined length other than Pixel Data (encapsulated) and not known to dcmjs as SQ.
    const lift = implicit
      ? span.tag !== PIXEL_DATA && part10.readUInt32LE(span.start + 4) === 0xffffffff && dictionaryVr(hex(span.tag)) !== 'SQ'
      : span.vr === 'UN' && value.length >= 8 && (value.subarray(0, 4).equals(ITEM_START) || undefinedLength(part10, span.start));
    if (!lift) continue;
    lifted.push({ tag: hex(span.tag), items: implicitItems(value) });
    kept.push(part10.subarray(from, span.start));
    from = span.end;
  }
  if (!lifted.length) return { bytes: part10, lifted };
  kept.push(part10.subarray(from));
  return { bytes: Buffer.concat(kept), lifted };
}
