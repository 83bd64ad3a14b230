// Sample files for the demo, made from code so a visitor without medical files
// can try Loupe at once: a wound photo whose EXIF carries GPS (as a phone's
// would, so Loupe's stripping shows), a one-frame CT, a multi-frame image and
// a whole CT study in a zip (two series of slices, as a PACS exports them).
// Everything is synthetic: the patient is DEMO^PATIENT, the identifiers say DEMO.
import sharp from 'sharp';
import yazl from 'yazl';
import { dicomData, type DicomDataset } from '../imaging/dicom/dcmjs.js';
import { writeDicom } from '../imaging/dicom/parse.js';
import { TransferSyntax } from '../imaging/dicom/syntax.js';

export const SAMPLE_KINDS = ['photo', 'ct', 'multiframe', 'study'] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

export interface SampleFile {
  name: string;
  bytes: Buffer;
  /** The message posted with it: names an invented patient in the demo's identifier pattern (MRN + 6 digits). */
  text: string;
}

export const isSampleKind = (v: unknown): v is SampleKind => typeof v === 'string' && (SAMPLE_KINDS as readonly string[]).includes(v);

/** The invented patient every sample belongs to. */
const SAMPLE_PATIENT = { name: 'DEMO^PATIENT', identifier: 'MRN900001', issuer: 'DEMO-HOSPITAL', birthDate: '19700101' };

/** Where the photo says it was taken: a point in London, as a phone would write it. */
const SAMPLE_GPS = { latitude: [51, 30, 26], latitudeRef: 'N', longitude: [0, 7, 39], longitudeRef: 'W' } as const;

const WOUND_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">
<rect width="640" height="480" fill="#e3b497"/>
<ellipse cx="320" cy="230" rx="170" ry="105" fill="#c98a74"/>
<ellipse cx="320" cy="230" rx="120" ry="70" fill="#a8392f"/>
<ellipse cx="300" cy="220" rx="60" ry="30" fill="#d46a5a"/>
<rect x="40" y="420" width="200" height="22" fill="#ffffff"/>
<g stroke="#222">${Array.from({ length: 21 }, (_, i) => `<line x1="${40 + i * 10}" y1="420" x2="${40 + i * 10}" y2="${i % 5 ? 428 : 434}"/>`).join('')}</g>
<text x="380" y="455" font-family="sans-serif" font-size="20" fill="#4a2a1a">SYNTHETIC DEMO IMAGE</text>
</svg>`;

/** A little-endian TIFF holding one GPS IFD: latitude and longitude as degrees, minutes, seconds. */
function gpsExif(): Buffer {
  const entries: [tag: number, type: number, count: number, value: Buffer][] = [
    [0x0000, 1, 4, Buffer.from([2, 3, 0, 0])],
    [0x0001, 2, 2, Buffer.from(`${SAMPLE_GPS.latitudeRef}\0`, 'latin1')],
    [0x0002, 5, 3, rationals(SAMPLE_GPS.latitude)],
    [0x0003, 2, 2, Buffer.from(`${SAMPLE_GPS.longitudeRef}\0`, 'latin1')],
    [0x0004, 5, 3, rationals(SAMPLE_GPS.longitude)],
  ];
  const ifd0 = 8;
  const ifd0Size = 2 + 12 + 4;
  const gps = ifd0 + ifd0Size;
  let data = gps + 2 + entries.length * 12 + 4;
  const head = Buffer.alloc(data);
  head.write('II*\0', 0, 'latin1');
  head.writeUInt32LE(ifd0, 4);
  head.writeUInt16LE(1, ifd0);
  // IFD0's one entry: where the GPS IFD is (GPSInfo, LONG).
  head.writeUInt16LE(0x8825, ifd0 + 2);
  head.writeUInt16LE(4, ifd0 + 4);
  head.writeUInt32LE(1, ifd0 + 6);
  head.writeUInt32LE(gps, ifd0 + 10);
  head.writeUInt16LE(entries.length, gps);
  const outOfLine: Buffer[] = [];
  entries.forEach(([tag, type, count, value], i) => {
    const at = gps + 2 + i * 12;
    head.writeUInt16LE(tag, at);
    head.writeUInt16LE(type, at + 2);
    head.writeUInt32LE(count, at + 4);
    if (value.length <= 4) value.copy(head, at + 8);
    else {
      head.writeUInt32LE(data, at + 8);
      outOfLine.push(value);
      data += value.length;
    }
  });
  return Buffer.concat([head, ...outOfLine]);
}

function rationals(values: readonly number[]): Buffer {
  const out = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => {
    out.writeUInt32LE(v, i * 8);
    out.writeUInt32LE(1, i * 8 + 4);
  });
  return out;
}

/** The JPEG with an APP1 Exif segment right after its start-of-image marker. */
function withExifSegment(jpeg: Buffer, tiff: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const marker = Buffer.alloc(4);
  marker.writeUInt16BE(0xffe1, 0);
  marker.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, body, jpeg.subarray(2)]);
}

async function woundPhoto(): Promise<Buffer> {
  // sharp writes the camera's make; libvips cannot create GPS rationals, so the GPS IFD is written here.
  const jpeg = await sharp(Buffer.from(WOUND_SVG)).jpeg({ quality: 85 }).toBuffer();
  return withExifSegment(jpeg, gpsExif());
}

/** A 16-bit frame: a body-like disc with two brighter organs, shifted with the frame number so a series moves. */
function phantomFrame(size: number, frame: number, frames: number): Buffer {
  const out = Buffer.alloc(size * size * 2);
  const c = size / 2;
  const organY = c + ((frame - frames / 2) * size) / (6 * frames);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const body = (x - c) ** 2 / (0.42 * size) ** 2 + (y - c) ** 2 / (0.34 * size) ** 2 <= 1;
      const left = (x - c + size * 0.15) ** 2 + (y - organY) ** 2 <= (0.1 * size) ** 2;
      const right = (x - c - size * 0.15) ** 2 + (y - organY) ** 2 <= (0.08 * size) ** 2;
      const value = left || right ? 1400 : body ? 1000 + ((x * 7 + y * 3) % 40) : 0;
      out.writeUInt16LE(value, (y * size + x) * 2);
    }
  }
  return out;
}

const str = (vr: string, value: string | number) => ({ vr, Value: [value] });

/** Where a slice of a study stands: its study and series, its number and place in a stack of `of` slices. */
interface SlicePlace {
  study: string;
  seriesNumber: number;
  instance: number;
  of: number;
}

/** A synthetic DICOM instance (explicit VR little endian, 16-bit monochrome); a slice of a study when `slice` says where. */
function syntheticDicom(o: { modality: 'CT' | 'OT'; frames: number; size: number; description: string; series: string; slice?: SlicePlace }): Buffer {
  const uid = (n: number) => (n === 1 && o.slice ? `2.25.${o.slice.study}` : n === 3 && o.slice ? `2.25.${o.series}${o.slice.instance}3` : `2.25.${o.series}${n}`);
  const sopClass = o.frames > 1 ? '1.2.840.10008.5.1.4.1.1.7.3' /* Multi-frame Grayscale Word Secondary Capture */ : '1.2.840.10008.5.1.4.1.1.2'; /* CT */
  const pixels = o.slice ? phantomFrame(o.size, o.slice.instance - 1, o.slice.of) : Buffer.concat(Array.from({ length: o.frames }, (_, f) => phantomFrame(o.size, f, o.frames)));
  const meta: DicomDataset = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': str('UI', sopClass),
    '00020003': str('UI', uid(3)),
    '00020010': str('UI', TransferSyntax.ExplicitLittle),
    '00020012': str('UI', '2.25.900001'),
  };
  const dict: DicomDataset = {
    '00080016': str('UI', sopClass),
    '00080018': str('UI', uid(3)),
    '00080020': str('DA', '20260101'),
    '00080060': str('CS', o.modality),
    '00080070': str('LO', 'DEMO'),
    '0008103E': str('LO', o.description),
    '00100010': { vr: 'PN', Value: [{ Alphabetic: SAMPLE_PATIENT.name }] },
    '00100020': str('LO', SAMPLE_PATIENT.identifier),
    '00100021': str('LO', SAMPLE_PATIENT.issuer),
    '00100030': str('DA', SAMPLE_PATIENT.birthDate),
    '0020000D': str('UI', uid(1)),
    '0020000E': str('UI', uid(2)),
    '00200013': str('IS', o.slice?.instance ?? 1),
    ...(o.slice
      ? { '00200011': str('IS', o.slice.seriesNumber), '00201041': str('DS', -60 + 5 * o.slice.instance), '00180050': str('DS', 5), '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] } }
      : {}),
    '00280002': str('US', 1),
    '00280004': str('CS', 'MONOCHROME2'),
    ...(o.frames > 1 ? { '00280008': str('IS', o.frames) } : {}),
    '00280010': str('US', o.size),
    '00280011': str('US', o.size),
    '00280030': { vr: 'DS', Value: [0.7, 0.7] },
    '00280100': str('US', 16),
    '00280101': str('US', 16),
    '00280102': str('US', 15),
    '00280103': str('US', 0),
    '00281050': str('DS', 1100),
    '00281051': str('DS', 800),
    '7FE00010': { vr: 'OW', Value: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.length)] },
  };
  const dicom = new dicomData.DicomDict(meta);
  dicom.dict = dict;
  return writeDicom(dicom);
}

/** One sample, made on request (a few milliseconds each). */
export async function makeSample(kind: SampleKind): Promise<SampleFile> {
  const text = `Demo sample for ${SAMPLE_PATIENT.identifier} (an invented patient)`;
  if (kind === 'photo') return { name: 'wound-photo.jpg', bytes: await woundPhoto(), text };
  if (kind === 'ct') return { name: 'demo-ct.dcm', bytes: syntheticDicom({ modality: 'CT', frames: 1, size: 256, description: 'DEMO CT ABDOMEN', series: '9000011' }), text };
  if (kind === 'study') return { name: 'demo-ct-study.zip', bytes: await studyZip(), text };
  return { name: 'demo-multiframe.dcm', bytes: syntheticDicom({ modality: 'OT', frames: 12, size: 128, description: 'DEMO MULTI-FRAME', series: '9000012' }), text };
}

/** A CT study as a PACS exports it: two series of slices (24 axial at 5 mm, 8 at 10 mm), each slice its own file, in one zip. */
async function studyZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [seriesNumber, of, description] of [
    [1, 24, 'DEMO CT ABDOMEN 5MM'],
    [2, 8, 'DEMO CT ABDOMEN 10MM'],
  ] as const) {
    for (let instance = 1; instance <= of; instance++) {
      const bytes = syntheticDicom({ modality: 'CT', frames: 1, size: 256, description, series: `90000${20 + seriesNumber}`, slice: { study: '9000020', seriesNumber, instance, of } });
      zip.addBuffer(bytes, `DICOM/SERIES${seriesNumber}/IM${String(instance).padStart(4, '0')}.dcm`);
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
