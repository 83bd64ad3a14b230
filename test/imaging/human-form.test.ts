// Study details as a person reads them: the DICOM header's names, dates,
// codes and measures in human form, and whatever does not parse shown as
// the header gives it rather than guessed.
import { describe, expect, it } from 'vitest';
import {
  dicomDate,
  dicomDateTime,
  dicomTime,
  doseSummation,
  doseType,
  doseUnits,
  imageSize,
  millimetres,
  NOT_RECORDED,
  patientSex,
  personName,
  pixelSpacing,
} from '../../src/imaging/view/human-form.js';

/** Each header value as the panel shows it. */
function reads<V>(format: (value: V) => string, cases: [V, string][]): void {
  expect(cases.map(([value]) => format(value))).toEqual(cases.map(([, shown]) => shown));
}

describe('a person name (PN)', () => {
  it('reads given name first, with its middle name, prefix and suffix, in title case when stored in capitals', () => {
    reads(personName, [
      ['DOE^JOHN', 'John Doe'],
      ['DOE^JOHN^A^DR^JR', 'Dr John A Doe, Jr'],
      ['SMITH^JANE^^PROF^PHD', 'Prof Jane Smith, PHD'],
      ['DOE^JOHN^^^III', 'John Doe, III'],
      ["O'BRIEN-SMITH^MARY ANN", "Mary Ann O'Brien-Smith"],
    ]);
  });

  it('keeps the case of a name typed in mixed case, and a lone family name exactly as it is', () => {
    reads(personName, [
      ['CompressedSamples^CT1', 'CT1 CompressedSamples'],
      ['van der Berg^Anna', 'Anna van der Berg'],
      ['DOE', 'DOE'],
      ['DOE^', 'DOE'],
      ['DOE^^^^', 'DOE'],
      ['John Doe', 'John Doe'],
    ]);
  });

  it('skips empty components and spaces around them', () => {
    reads(personName, [
      ['DOE^^^DR', 'Dr Doe'],
      ['^JOHN^A', 'John A'],
      ['  DOE  ^  JOHN  ', 'John Doe'],
      ['^^^^MD', 'MD'],
    ]);
  });

  it('adds the ideographic and phonetic groups after the alphabetic one, family name first', () => {
    reads(personName, [
      ['Yamada^Tarou=山田^太郎=やまだ^たろう', 'Tarou Yamada (山田 太郎; やまだ たろう)'],
      ['YAMADA^TAROU=山田^太郎', 'Tarou Yamada (山田 太郎)'],
      ['=山田^太郎', '山田 太郎'],
      ['Wang^XiaoDong==王^小东', 'XiaoDong Wang (王 小东)'],
      ['DOE^JOHN=', 'John Doe'],
    ]);
  });

  it('says nothing is recorded for an empty name, and shows a value of another shape as given without failing', () => {
    reads(personName, [
      [undefined, NOT_RECORDED],
      ['', NOT_RECORDED],
      ['   ', NOT_RECORDED],
      ['^^^^', NOT_RECORDED],
      ['==', NOT_RECORDED],
      ['A^B^C^D^E^F', 'A^B^C^D^E^F'],
      ['A=B=C=D', 'A=B=C=D'],
      ['^', NOT_RECORDED],
    ]);
  });
});

describe('a date (DA) and a time (TM)', () => {
  it('reads day, month in words and year, which no reader can take the wrong way round', () => {
    reads(dicomDate, [
      ['20040119', '19 Jan 2004'],
      ['20040102', '2 Jan 2004'],
      ['19991231', '31 Dec 1999'],
      ['20000229', '29 Feb 2000'],
      // ACR-NEMA's older form is still met in old files.
      ['2004.01.19', '19 Jan 2004'],
    ]);
  });

  it('shows a partial date as far as it goes', () => {
    reads(dicomDate, [
      ['200401', 'Jan 2004'],
      ['2004', '2004'],
    ]);
  });

  it('shows an invalid date as given rather than a made-up one', () => {
    const odd = ['20040231', '19000229', '20041301', '20040100', '00000000', '2004-01-19', '20040119-20040120', '2004.0119', 'unknown', '200401191'];
    reads(dicomDate, [...odd.map((v): [string, string] => [v, v]), [undefined, NOT_RECORDED], [' ', NOT_RECORDED]]);
  });

  it('reads a time to the minute on the 24-hour clock, an odd one as given', () => {
    reads(dicomTime, [
      ['072730', '07:27'],
      ['072730.123456', '07:27'],
      ['1405', '14:05'],
      ['07:27:30', '07:27'],
      ['235960', '23:59'],
      [undefined, NOT_RECORDED],
    ]);
    const odd = ['07', '2460', '1260', '126061', '7:27', '072730.1234567', 'noon'];
    reads(dicomTime, odd.map((v) => [v, v]));
  });

  it('gives a study’s date with its time when there is one', () => {
    expect(dicomDateTime('20040119', '072730')).toBe('19 Jan 2004, 07:27');
    expect(dicomDateTime('20040119', undefined)).toBe('19 Jan 2004');
    expect(dicomDateTime(undefined, '072730')).toBe(NOT_RECORDED);
    // An invalid date is still shown as given, with the time that came with it.
    expect(dicomDateTime('20040231', '072730')).toBe('20040231, 07:27');
  });
});

describe('a coded value', () => {
  it('reads the patient’s sex in words', () => {
    reads(patientSex, [
      ['M', 'Male'],
      ['F', 'Female'],
      ['O', 'Other'],
      [' f ', 'Female'],
      ['', NOT_RECORDED],
      [undefined, NOT_RECORDED],
      ['U', 'U'],
      ['constructor', 'constructor'],
    ]);
  });

  it('reads a dose grid’s units, type and summation in words', () => {
    reads(doseUnits, [
      ['GY', 'Gy'],
      ['RELATIVE', 'relative (to a reference dose)'],
      // Not a defined term: as given.
      ['CGY', 'CGY'],
    ]);
    reads(doseType, [
      ['PHYSICAL', 'Physical'],
      ['EFFECTIVE', 'Effective (physical dose corrected for biological effect)'],
      ['ERROR', 'Error (difference between desired and planned dose)'],
    ]);
    reads(doseSummation, [
      ['PLAN', 'Whole plan (all fraction groups)'],
      ['BEAM', 'One or more beams'],
      ['FRACTION_SESSION', 'One session of one fraction group'],
      [undefined, NOT_RECORDED],
    ]);
  });
});

describe('a measure', () => {
  it('carries its unit, to four significant digits', () => {
    reads(millimetres, [
      [5, '5 mm'],
      [0.661468, '0.6615 mm'],
      [1234.56, '1235 mm'],
      [undefined, NOT_RECORDED],
      [Number.NaN, NOT_RECORDED],
    ]);
    expect(imageSize(512, 256)).toBe('512 × 256 px');
    expect(imageSize(undefined, 256)).toBe('? × 256 px');
    expect(imageSize(undefined, undefined)).toBe(NOT_RECORDED);
  });

  it('gives pixel spacing across by down, like the size, and says which is which when they differ', () => {
    expect(pixelSpacing([0.661468, 0.661468])).toBe('0.6615 × 0.6615 mm');
    // Pixel Spacing is (between rows, between columns): the second value is the spacing across.
    expect(pixelSpacing([0.7, 0.5])).toBe('0.5 × 0.7 mm (across × down)');
    expect(pixelSpacing(undefined)).toBe(NOT_RECORDED);
  });
});
