// dcmjs reads a sequence sent as UN (of undefined length, or a defined length
// holding items) in the file's explicit VR, though the standard encodes its items in implicit VR
// little endian (PS3.5 6.2.2), and then writes garbage lengths back. Such
// top-level elements are taken out before dcmjs reads the file, so that their
// items can be read as the implicit datasets they are.
import { implicitItems, layoutOf, topLevelElements } from './layout.js';
import { TransferSyntax } from './syntax.js';

export interface LiftedSequence {
  /** "GGGGEEEE", as dcmjs keys its dataset. */
  tag: string;
  /** Each item's content, implicit VR little endian. */
  items: Buffer[];
}

const ITEM_START = Buffer.from([0xfe, 0xff, 0x00, 0xe0]);
const undefinedLength = (part10: Buffer, start: number) => part10.readUInt32LE(start + 8) === 0xffffffff;

export function liftUnSequences(part10: Buffer): { bytes: Buffer; lifted: LiftedSequence[] } {
  const layout = layoutOf(part10);
  const syntax = layout.transferSyntax;
  if (syntax === TransferSyntax.ImplicitLittle || syntax === TransferSyntax.ExplicitBig || syntax === TransferSyntax.Deflated) {
    return { bytes: part10, lifted: [] };
  }
  const lifted: LiftedSequence[] = [];
  const kept: Buffer[] = [];
  let from = 0;
  for (const span of topLevelElements(part10, layout)) {
    const value = part10.subarray(span.valueStart, span.end);
    if (span.vr !== 'UN' || value.length < 8 || !(value.subarray(0, 4).equals(ITEM_START) || undefinedLength(part10, span.start))) continue;
    lifted.push({ tag: span.tag.toString(16).toUpperCase().padStart(8, '0'), items: implicitItems(value) });
    kept.push(part10.subarray(from, span.start));
    from = span.end;
  }
  if (!lifted.length) return { bytes: part10, lifted };
  kept.push(part10.subarray(from));
  return { bytes: Buffer.concat(kept), lifted };
}
