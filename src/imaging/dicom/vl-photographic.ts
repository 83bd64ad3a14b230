// A clinical photo as a DICOM VL Photographic Image (PS3.3 A.32.4), for a
// hospital PACS: the photo's baseline JPEG bytes carried unchanged
// (encapsulated, JPEG Baseline transfer syntax), so nothing is decoded or
// re-compressed here. The header is written by dcmjs; the Pixel Data element
// is built here, as the one fragment after an empty Basic Offset Table item.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { baselineJpegFrame, type JpegFrame } from '../jpeg-frame.js';
import { dicomData, type DicomDataset } from './dcmjs.js';
import { isUid, newUid } from './new-uid.js';

export const VL_PHOTOGRAPHIC_IMAGE = '1.2.840.10008.5.1.4.1.1.77.1.4';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
/** Loupe's implementation class UID in the file meta: fixed, under 2.25, so a PACS can tell which software wrote the file. */
const IMPLEMENTATION_CLASS_UID = '2.25.201859104458317329893829137806428730402';

export interface VlPhotoPatient {
  id: string;
  issuer?: string;
  name?: string;
  /** YYYYMMDD */
  birthDate?: string;
  sex?: 'M' | 'F' | 'O';
}

export interface VlPhotoStudy {
  /** The study to file the photo into (an order's study); a new study when absent. */
  instanceUid?: string;
  accessionNumber?: string;
  description?: string;
}

export interface VlPhotographicOptions {
  /** Baseline 8-bit JPEG (see toBaselineJpeg). */
  jpeg: Buffer;
  patient: VlPhotoPatient;
  study?: VlPhotoStudy;
  capturedAt: Date;
  seriesDescription?: string;
  institutionName?: string;
  /** The organisation's UID root; new UIDs are derived under it, or under 2.25 when absent. */
  uidRoot?: string;
  /**
   * UIDs a first build returned: a retried export builds the same instance
   * again, so the PACS sees one object, not a copy per attempt.
   */
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  manufacturer: 'Loupe';
  softwareVersion: string;
}

export interface VlPhotographicFile {
  bytes: Buffer;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

const invalid = (field: string, why: string) => new LoupeError(ErrorCode.InvalidInput, `the ${field} ${why}`);

// PS3.5 6.2: the longest value of each text VR used here (in bytes, as encoded).
const MAX_CHARS = { LO: 64, SH: 16, PN: 64 } as const;

/** A text value, checked without ever quoting it: too long, or holding DICOM's value delimiter or control characters. */
function textValue(field: string, vr: keyof typeof MAX_CHARS, value: string): string {
  // PS3.5 counts bytes as encoded: under ISO_IR 192 (UTF-8), a character beyond ASCII takes two to four.
  if (Buffer.byteLength(value, 'utf8') > MAX_CHARS[vr]) throw invalid(field, `is longer than ${MAX_CHARS[vr]} bytes`);
  if (/[\\\u0000-\u001f\u007f]/.test(value)) throw invalid(field, 'holds a backslash or a control character');
  if (vr === 'PN' && value.includes('=')) throw invalid(field, 'holds "=" (DICOM separates name representations with it)');
  return value;
}

function uid(field: string, value: string | undefined, root: string | undefined): string {
  if (value === undefined) return newUid(root);
  if (!isUid(value)) throw invalid(field, 'is not a valid DICOM UID');
  return value;
}

/**
 * PS3.5 8.2.1: what the JPEG's components are, as DICOM names them. The VL
 * Image module allows no name for unsubsampled YCbCr (YBR_FULL), so 4:4:4
 * colour is refused like any other layout: toBaselineJpeg makes it 4:2:0.
 */
function photometric(frame: JpegFrame): string {
  if (frame.components === 1) return 'MONOCHROME2';
  if (frame.adobeRgb) return 'RGB';
  const [y, cb, cr] = frame.sampling;
  const chromaFull = cb?.h === 1 && cb.v === 1 && cr?.h === 1 && cr.v === 1;
  // 4:2:2 (2×1) and 4:2:0 (2×2) are both YBR_FULL_422 in a JPEG bit stream.
  if (chromaFull && y?.h === 2 && (y.v === 1 || y.v === 2)) return 'YBR_FULL_422';
  throw new LoupeError(ErrorCode.ImageUnsupported, 'the JPEG is colour without 4:2:2 or 4:2:0 chroma subsampling, which a VL Photographic Image cannot name; re-encode it first');
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const da = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
const tm = (d: Date) => `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;

const value = (vr: string, v: unknown) => ({ vr, Value: [v] });
const empty = (vr: string) => ({ vr, Value: [] });
const optional = (vr: string, v: unknown) => (v === undefined ? empty(vr) : value(vr, v));

/** The encapsulated Pixel Data element: empty offset table, one fragment (even length), sequence delimiter. */
function encapsulatedPixelData(jpeg: Buffer): Buffer {
  const fragment = jpeg.length % 2 ? Buffer.concat([jpeg, Buffer.alloc(1)]) : jpeg;
  const head = Buffer.alloc(12 + 8 + 8);
  head.writeUInt16LE(0x7fe0, 0);
  head.writeUInt16LE(0x0010, 2);
  head.write('OB', 4, 'latin1');
  head.writeUInt32LE(0xffffffff, 8);
  head.writeUInt16LE(0xfffe, 12);
  head.writeUInt16LE(0xe000, 14);
  head.writeUInt32LE(0, 16);
  head.writeUInt16LE(0xfffe, 20);
  head.writeUInt16LE(0xe000, 22);
  head.writeUInt32LE(fragment.length, 24);
  const end = Buffer.alloc(8);
  end.writeUInt16LE(0xfffe, 0);
  end.writeUInt16LE(0xe0dd, 2);
  return Buffer.concat([head, fragment, end]);
}

export function buildVlPhotographic(o: VlPhotographicOptions): VlPhotographicFile {
  const frame = baselineJpegFrame(o.jpeg);
  if (Number.isNaN(o.capturedAt.getTime())) throw invalid('capture time', 'is not a valid date');
  if (o.patient.birthDate !== undefined && !/^\d{8}$/.test(o.patient.birthDate)) throw invalid("patient's birth date", 'is not YYYYMMDD');
  if (o.patient.id === '') throw invalid("patient's identifier", 'is empty');
  const studyInstanceUid = uid('study instance UID', o.study?.instanceUid, o.uidRoot);
  const seriesInstanceUid = uid('series instance UID', o.seriesInstanceUid, o.uidRoot);
  const sopInstanceUid = uid('SOP instance UID', o.sopInstanceUid, o.uidRoot);
  const texts = {
    patientId: textValue("patient's identifier", 'LO', o.patient.id),
    issuer: o.patient.issuer === undefined ? undefined : textValue("patient's identifier issuer", 'LO', o.patient.issuer),
    name: o.patient.name === undefined ? undefined : textValue("patient's name", 'PN', o.patient.name),
    accession: o.study?.accessionNumber === undefined ? undefined : textValue('accession number', 'SH', o.study.accessionNumber),
    studyDescription: o.study?.description === undefined ? undefined : textValue('study description', 'LO', o.study.description),
    seriesDescription: o.seriesDescription === undefined ? undefined : textValue('series description', 'LO', o.seriesDescription),
    institution: o.institutionName === undefined ? undefined : textValue('institution name', 'LO', o.institutionName),
    software: textValue('software version', 'LO', o.softwareVersion),
  };
  // Default repertoire when every text is ASCII; UTF-8 otherwise (ISO_IR 192: dcmjs writes text as UTF-8).
  const nonAscii = Object.values(texts).some((t) => t !== undefined && /[^\u0000-\u007f]/.test(t));
  const captured = { date: da(o.capturedAt), time: tm(o.capturedAt) };

  // The modules of PS3.3 A.32.4-1: Patient, General Study, General Series (Modality XC), General
  // Equipment, General Image, Image Pixel, VL Image, Acquisition Context (its sequence empty) and SOP
  // Common. Type 2 attributes Loupe has no value for are present and empty: referring physician,
  // study ID, series number, patient orientation, laterality (the body part is not known here), and
  // any patient or study detail not given. Dates and times are the capture's, in UTC, as the
  // timezone offset says (Loupe does not know the ward's local time).
  const dict: DicomDataset = {
    ...(nonAscii ? { '00080005': value('CS', 'ISO_IR 192') } : {}),
    '00080008': { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY'] }, // ImageType
    '00080016': value('UI', VL_PHOTOGRAPHIC_IMAGE), // SOPClassUID
    '00080018': value('UI', sopInstanceUid), // SOPInstanceUID
    '00080020': value('DA', captured.date), // StudyDate
    '00080021': value('DA', captured.date), // SeriesDate
    '00080023': value('DA', captured.date), // ContentDate
    '00080030': value('TM', captured.time), // StudyTime
    '00080031': value('TM', captured.time), // SeriesTime
    '00080033': value('TM', captured.time), // ContentTime
    '00080050': optional('SH', texts.accession), // AccessionNumber
    '00080060': value('CS', 'XC'), // Modality
    '00080070': value('LO', o.manufacturer), // Manufacturer
    '00080080': optional('LO', texts.institution), // InstitutionName
    '00080090': empty('PN'), // ReferringPhysicianName
    '00080201': value('SH', '+0000'), // TimezoneOffsetFromUTC
    '00081030': optional('LO', texts.studyDescription), // StudyDescription
    '0008103E': optional('LO', texts.seriesDescription), // SeriesDescription
    '00100010': texts.name === undefined ? empty('PN') : value('PN', { Alphabetic: texts.name }), // PatientName
    '00100020': value('LO', texts.patientId), // PatientID
    '00100021': optional('LO', texts.issuer), // IssuerOfPatientID
    '00100030': optional('DA', o.patient.birthDate), // PatientBirthDate
    '00100040': optional('CS', o.patient.sex), // PatientSex
    '00181020': value('LO', texts.software), // SoftwareVersions
    '0020000D': value('UI', studyInstanceUid), // StudyInstanceUID
    '0020000E': value('UI', seriesInstanceUid), // SeriesInstanceUID
    '00200010': empty('SH'), // StudyID
    '00200011': empty('IS'), // SeriesNumber
    '00200013': value('IS', 1), // InstanceNumber
    '00200020': empty('CS'), // PatientOrientation
    '00200060': empty('CS'), // Laterality
    '00280002': value('US', frame.components), // SamplesPerPixel
    '00280004': value('CS', photometric(frame)), // PhotometricInterpretation
    ...(frame.components > 1 ? { '00280006': value('US', 0) } : {}),
    '00280010': value('US', frame.rows), // Rows
    '00280011': value('US', frame.columns), // Columns
    '00280100': value('US', 8), // BitsAllocated
    '00280101': value('US', 8), // BitsStored
    '00280102': value('US', 7), // HighBit
    '00280103': value('US', 0), // PixelRepresentation
    '00282110': value('CS', '01'), // LossyImageCompression
    '00282114': value('CS', 'ISO_10918_1'), // LossyImageCompressionMethod
    '00400555': { vr: 'SQ', Value: [] }, // AcquisitionContextSequence
  };
  const meta: DicomDataset = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': value('UI', VL_PHOTOGRAPHIC_IMAGE),
    '00020003': value('UI', sopInstanceUid),
    '00020010': value('UI', JPEG_BASELINE),
    '00020012': value('UI', IMPLEMENTATION_CLASS_UID),
    // The meta group is always in the default repertoire.
    '00020013': value('SH', `LOUPE_${o.softwareVersion}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 16)),
  };
  const file = new dicomData.DicomDict(meta);
  file.dict = dict;
  const header = Buffer.from(file.write());
  return { bytes: Buffer.concat([header, encapsulatedPixelData(o.jpeg)]), studyInstanceUid, seriesInstanceUid, sopInstanceUid };
}
