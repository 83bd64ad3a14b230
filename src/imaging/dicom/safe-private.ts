// DICOM PS3.15 Table E.3.10-1, the private attributes the standard lists as
// safe to keep (Retain Safe Private Option). A private attribute is known by
// its block's Private Creator, its group and its element within the block:
// the same numbers mean different things under different creators.
import table from './ps3.15-table-e3-10-1.json' with { type: 'json' };

type Row = { creator: string; group: string; element: string; vr: string; name: string };

export class SafePrivateAttributes {
  private readonly keys = new Set((table as Row[]).map((r) => key(r.creator, parseInt(r.group, 16), parseInt(r.element, 16))));

  /** Whether the standard lists (group, xx`low`) under `creator` as safe. */
  has(creator: string, group: number, low: number): boolean {
    return this.keys.has(key(creator.trim(), group, low));
  }
}

const key = (creator: string, group: number, low: number) => `${creator}\0${group}\0${low}`;
