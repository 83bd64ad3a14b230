// Decodes sequential DCT JPEG with Huffman coding (ITU-T T.81 processes 1, 2
// and 4: baseline and extended) at 8 or 12 bits per sample. 12-bit JPEG is
// what DICOM's "JPEG extended" transfer syntax carries for CT and MR, and
// neither sharp's libjpeg nor a registry codec decodes it. Output: samples
// interleaved at full resolution (no colour conversion), 16-bit little endian
// above 8 bits.
import { ErrorCode, LoupeError } from '../../core/errors.js';

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30,
  37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

// cos((2x + 1) u pi / 16) scaled by C(u) / 2, for the separable inverse DCT.
const IDCT = (() => {
  const t = new Float64Array(64);
  for (let x = 0; x < 8; x++) for (let u = 0; u < 8; u++) t[x * 8 + u] = (u === 0 ? Math.SQRT1_2 : 1) * Math.cos(((2 * x + 1) * u * Math.PI) / 16) / 2;
  return t;
})();

export interface DecodedJpeg {
  width: number;
  height: number;
  components: number;
  precision: number;
  /** Interleaved samples; two bytes each (little endian) when precision > 8. */
  data: Buffer;
}

interface HuffmanTable {
  maxCode: Int32Array;
  valPtr: Int32Array;
  minCode: Int32Array;
  values: Uint8Array;
}

interface Component {
  id: number;
  h: number;
  v: number;
  tq: number;
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Decoded samples of the padded component plane. */
  plane: Float64Array;
  dcTable?: HuffmanTable;
  acTable?: HuffmanTable;
  pred: number;
}

function corrupt(what: string): LoupeError {
  return new LoupeError(ErrorCode.ImageCorrupt, `the JPEG frame is corrupt: ${what}`);
}

function buildHuffman(counts: Uint8Array, values: Uint8Array): HuffmanTable {
  // T.81 F.2.2.3: canonical codes, by length.
  const maxCode = new Int32Array(18).fill(-1);
  const valPtr = new Int32Array(17);
  const minCode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    if (n) {
      valPtr[len] = k;
      minCode[len] = code;
      code += n;
      k += n;
      maxCode[len] = code - 1;
    }
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { maxCode, valPtr, minCode, values };
}

class BitReader {
  private bits = 0;
  private count = 0;
  /** Set once a marker is met: the entropy-coded segment ended. */
  marker = false;

  constructor(
    private readonly data: Buffer,
    public at: number,
  ) {}

  bit(): number {
    if (this.count === 0) {
      let byte = 0;
      if (!this.marker && this.at < this.data.length) {
        byte = this.data[this.at]!;
        if (byte === 0xff) {
          const next = this.data[this.at + 1];
          if (next === 0) this.at += 2;
          else {
            // A marker: the segment ended; pad with zero bits (T.81 F.2.2.5 tolerates none, decoders do).
            this.marker = true;
            byte = 0;
          }
        } else this.at++;
      }
      this.bits = byte;
      this.count = 8;
    }
    this.count--;
    return (this.bits >> this.count) & 1;
  }

  receive(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit();
    return v;
  }

  decode(table: HuffmanTable): number {
    let code = this.bit();
    let len = 1;
    while (code > table.maxCode[len]!) {
      code = (code << 1) | this.bit();
      if (++len > 16) throw corrupt('a Huffman code is invalid');
    }
    const value = table.values[table.valPtr[len]! + code - table.minCode[len]!];
    if (value === undefined) throw corrupt('a Huffman code is invalid');
    return value;
  }

  /** Skips to the restart marker expected next and past it. */
  restart(): void {
    this.count = 0;
    this.marker = false;
    while (this.at + 1 < this.data.length && !(this.data[this.at] === 0xff && this.data[this.at + 1]! >= 0xd0 && this.data[this.at + 1]! <= 0xd7)) this.at++;
    this.at += 2;
  }
}

const extend = (v: number, s: number) => (s === 0 ? 0 : v < 1 << (s - 1) ? v - (1 << s) + 1 : v);

function idctBlock(coef: Float64Array, tmp: Float64Array, out: Float64Array, stride: number, offset: number): void {
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      let s = 0;
      for (let u = 0; u < 8; u++) s += IDCT[x * 8 + u]! * coef[y * 8 + u]!;
      tmp[y * 8 + x] = s;
    }
  }
  for (let x = 0; x < 8; x++) {
    for (let y = 0; y < 8; y++) {
      let s = 0;
      for (let v = 0; v < 8; v++) s += IDCT[y * 8 + v]! * tmp[v * 8 + x]!;
      out[offset + y * stride + x] = s;
    }
  }
}

/** `expected`, when given, is the size the frame must declare (a bigger one would be a decompression bomb). */
export function decodeJpeg(data: Buffer, expected?: { rows: number; columns: number }): DecodedJpeg {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw corrupt('no start-of-image marker');
  const quant: Float64Array[] = [];
  const dc: HuffmanTable[] = [];
  const ac: HuffmanTable[] = [];
  let frame: { precision: number; width: number; height: number; components: Component[]; hMax: number; vMax: number } | undefined;
  let restartInterval = 0;
  let at = 2;
  const u16 = (p: number) => {
    if (p + 2 > data.length) throw corrupt('it ends early');
    return data.readUInt16BE(p);
  };
  for (;;) {
    if (at + 2 > data.length) throw corrupt('it ends early');
    if (data[at] !== 0xff) throw corrupt('a marker is missing');
    const marker = data[at + 1]!;
    if (marker === 0xff) {
      at++;
      continue;
    }
    if (marker === 0xd9) break;
    const length = u16(at + 2);
    const body = data.subarray(at + 4, at + 2 + length);
    if (body.length !== length - 2) throw corrupt('a segment ends early');
    switch (marker) {
      case 0xdb: // DQT
        for (let p = 0; p < body.length; ) {
          const wide = body[p]! >> 4;
          const id = body[p]! & 15;
          const table = new Float64Array(64);
          for (let k = 0; k < 64; k++) table[k] = wide ? body.readUInt16BE(p + 1 + 2 * k) : body[p + 1 + k]!;
          quant[id] = table;
          p += 1 + (wide ? 128 : 64);
        }
        break;
      case 0xc4: // DHT
        for (let p = 0; p < body.length; ) {
          const cls = body[p]! >> 4;
          const id = body[p]! & 15;
          const counts = body.subarray(p + 1, p + 17);
          const total = counts.reduce((a, b) => a + b, 0);
          const table = buildHuffman(counts, body.subarray(p + 17, p + 17 + total));
          (cls ? ac : dc)[id] = table;
          p += 17 + total;
        }
        break;
      case 0xdd: // DRI
        restartInterval = u16(at + 4);
        break;
      case 0xc0:
      case 0xc1: {
        const precision = body[0]!;
        if (precision !== 8 && precision !== 12) throw corrupt(`${precision}-bit samples`);
        const height = body.readUInt16BE(1);
        const width = body.readUInt16BE(3);
        const count = body[5]!;
        const components: Component[] = [];
        for (let i = 0; i < count; i++) {
          const c = body.subarray(6 + 3 * i, 9 + 3 * i);
          components.push({ id: c[0]!, h: c[1]! >> 4, v: c[1]! & 15, tq: c[2]!, blocksPerLine: 0, blocksPerColumn: 0, plane: new Float64Array(0), pred: 0 });
        }
        if (!width || !height || !count || count > 4 || components.some((c) => c.h < 1 || c.v < 1 || c.h > 4 || c.v > 4)) throw corrupt('the frame header is invalid');
        if (expected && (width !== expected.columns || height !== expected.rows)) throw corrupt('its size differs from the image header');
        const hMax = Math.max(...components.map((c) => c.h));
        const vMax = Math.max(...components.map((c) => c.v));
        const mcusX = Math.ceil(width / (8 * hMax));
        const mcusY = Math.ceil(height / (8 * vMax));
        for (const c of components) {
          c.blocksPerLine = mcusX * c.h;
          c.blocksPerColumn = mcusY * c.v;
          c.plane = new Float64Array(c.blocksPerLine * c.blocksPerColumn * 64);
        }
        frame = { precision, width, height, components, hMax, vMax };
        break;
      }
      case 0xda: {
        if (!frame) throw corrupt('a scan comes before the frame header');
        const f = frame;
        const n = body[0]!;
        const scan = [...Array(n).keys()].map((i) => {
          const c = f.components.find((x) => x.id === body[1 + 2 * i]);
          if (!c) throw corrupt('a scan names an unknown component');
          c.dcTable = dc[body[2 + 2 * i]! >> 4];
          c.acTable = ac[body[2 + 2 * i]! & 15];
          if (!c.dcTable || !c.acTable) throw corrupt('a Huffman table is missing');
          c.pred = 0;
          return c;
        });
        at = decodeScan(data, at + 2 + length, f, scan, quant, restartInterval);
        continue;
      }
      default:
        if (marker === 0xc2 || marker === 0xc3 || (marker >= 0xc5 && marker <= 0xcf && marker !== 0xc8 && marker !== 0xcc)) {
          throw new LoupeError(ErrorCode.ImageUnsupported, 'progressive, lossless, hierarchical and arithmetic-coded JPEG are not decoded here');
        }
    }
    at += 2 + length;
  }
  if (!frame) throw corrupt('no frame header');
  return assemble(frame);
}

function decodeScan(
  data: Buffer,
  start: number,
  f: { precision: number; components: Component[]; hMax: number; vMax: number; width: number; height: number },
  scan: Component[],
  quant: Float64Array[],
  restartInterval: number,
): number {
  const reader = new BitReader(data, start);
  const coef = new Float64Array(64);
  const tmp = new Float64Array(64);
  const block = (c: Component, row: number, col: number) => {
    const q = quant[c.tq];
    if (!q) throw corrupt('a quantisation table is missing');
    coef.fill(0);
    const t = reader.decode(c.dcTable!);
    c.pred += extend(reader.receive(t), t);
    coef[0] = c.pred * q[0]!;
    for (let k = 1; k < 64; ) {
      const rs = reader.decode(c.acTable!);
      const r = rs >> 4;
      const s = rs & 15;
      if (s === 0) {
        if (r !== 15) break;
        k += 16;
        continue;
      }
      k += r;
      if (k > 63) throw corrupt('a block has too many coefficients');
      coef[ZIGZAG[k]!] = extend(reader.receive(s), s) * q[k]!;
      k++;
    }
    if (row < c.blocksPerColumn && col < c.blocksPerLine) idctBlock(coef, tmp, c.plane, c.blocksPerLine * 8, row * 8 * c.blocksPerLine * 8 + col * 8);
  };
  const single = scan.length === 1;
  const only = scan[0]!;
  // A single-component scan covers only that component's own blocks, not the MCU padding.
  const total = single
    ? Math.ceil(Math.ceil((f.width * only.h) / f.hMax) / 8) * Math.ceil(Math.ceil((f.height * only.v) / f.vMax) / 8)
    : (only.blocksPerLine / only.h) * (only.blocksPerColumn / only.v);
  const perLine = single ? Math.ceil(Math.ceil((f.width * only.h) / f.hMax) / 8) : only.blocksPerLine / only.h;
  for (let mcu = 0; mcu < total; mcu++) {
    if (restartInterval && mcu > 0 && mcu % restartInterval === 0) {
      reader.restart();
      for (const c of scan) c.pred = 0;
    }
    const my = Math.floor(mcu / perLine);
    const mx = mcu % perLine;
    if (single) block(only, my, mx);
    else for (const c of scan) for (let v = 0; v < c.v; v++) for (let h = 0; h < c.h; h++) block(c, my * c.v + v, mx * c.h + h);
  }
  // Find the marker that ends the scan.
  let at = reader.at;
  while (at + 1 < data.length && !(data[at] === 0xff && data[at + 1] !== 0 && !(data[at + 1]! >= 0xd0 && data[at + 1]! <= 0xd7))) at++;
  return at;
}

function assemble(f: { precision: number; width: number; height: number; components: Component[]; hMax: number; vMax: number }): DecodedJpeg {
  const { width, height, components, precision } = f;
  const shift = 1 << (precision - 1);
  const max = (1 << precision) - 1;
  const wide = precision > 8;
  const n = components.length;
  const out = Buffer.alloc(width * height * n * (wide ? 2 : 1));
  components.forEach((c, ci) => {
    const stride = c.blocksPerLine * 8;
    for (let y = 0; y < height; y++) {
      const sy = Math.floor((y * c.v) / f.vMax);
      for (let x = 0; x < width; x++) {
        const sx = Math.floor((x * c.h) / f.hMax);
        const v = Math.min(max, Math.max(0, Math.round(c.plane[sy * stride + sx]! + shift)));
        const i = (y * width + x) * n + ci;
        if (wide) out.writeUInt16LE(v, i * 2);
        else out[i] = v;
      }
    }
  });
  return { width, height, components: n, precision, data: out };
}
