// The PET image's SUVbw factor: computed by hand for a known header, and
// refused, with the reason the probe shows, when the header does not allow
// it; read from files pydicom wrote, as the imaging sandbox reads them.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readInstance } from '../../src/imaging/dicom/parse.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { PET_IMAGE_STORAGE, suvFactor, type SuvInputs } from '../../src/imaging/view/suv.js';
import { viewFacts } from '../../src/imaging/view/view-facts.js';
import { PYDICOM } from '../support/multi-frame.js';
import { PET, petDicom } from '../support/pet-dicom.js';

const HEADER: SuvInputs = {
  sopClass: PET_IMAGE_STORAGE,
  units: 'BQML',
  corrected: ['NORM', 'ATTN', 'DECY', 'SCAT'],
  decayCorrection: 'START',
  weightKg: 70,
  seriesDate: '20240102',
  seriesTime: '100000',
  acquisitionDate: '20240102',
  acquisitionTime: '100012.5',
  timezoneOffset: undefined,
  startDateTime: undefined,
  startTime: '090000.00',
  totalDoseBq: 370e6,
  halfLifeS: 6586.2,
};

// 370 MBq decayed over 3600 s of a 6586.2 s half-life: 370e6 × 2^(−3600 / 6586.2) = 253.3e6 Bq; 70 000 g / 253.3e6 Bq.
const BY_HAND = 70_000 / (370e6 * Math.pow(2, -3600 / 6586.2));

const factorOf = (h: SuvInputs): number => {
  const suv = suvFactor(h);
  if (!('factor' in suv)) throw new Error(suv.unavailable);
  return suv.factor;
};

describe('the SUVbw factor', () => {
  it('is the weight in grams over the dose decayed from injection to the series start', () => {
    expect(BY_HAND.toPrecision(4)).toBe('0.0002763');
    expect(factorOf(HEADER).toPrecision(4)).toBe(BY_HAND.toPrecision(4));
    // The injection's date and time in one, and a series across midnight from a start time alone.
    expect(factorOf({ ...HEADER, startTime: undefined, startDateTime: '20240102090000' }).toPrecision(4)).toBe(BY_HAND.toPrecision(4));
    expect(factorOf({ ...HEADER, seriesTime: '003000', acquisitionTime: '003000', startTime: '233000' }).toPrecision(4)).toBe(BY_HAND.toPrecision(4));
    // The injection written on UTC (08:00Z), the series on local time an hour east.
    expect(factorOf({ ...HEADER, startTime: undefined, startDateTime: '20240102080000+0000', timezoneOffset: '+0100' }).toPrecision(4)).toBe(BY_HAND.toPrecision(4));
  });

  it('does not decay a dose already corrected to the injection (ADMIN)', () => {
    expect(factorOf({ ...HEADER, decayCorrection: 'ADMIN' })).toBeCloseTo(70_000 / 370e6, 12);
  });

  it('is refused, saying why, when the header does not allow it', () => {
    expect(suvFactor({ ...HEADER, weightKg: undefined })).toEqual({ unavailable: 'SUV: no weight in header' });
    expect(suvFactor({ ...HEADER, weightKg: 0 })).toEqual({ unavailable: 'SUV: no weight in header' });
    expect(suvFactor({ ...HEADER, units: 'CNTS' })).toEqual({ unavailable: 'SUV: units not Bq/ml' });
    expect(suvFactor({ ...HEADER, decayCorrection: 'NONE' })).toEqual({ unavailable: 'SUV: not decay corrected' });
    expect(suvFactor({ ...HEADER, corrected: ['DECY'] })).toEqual({ unavailable: 'SUV: not attenuation corrected' });
    expect(suvFactor({ ...HEADER, totalDoseBq: undefined })).toEqual({ unavailable: 'SUV: no injected dose' });
    expect(suvFactor({ ...HEADER, halfLifeS: undefined })).toEqual({ unavailable: 'SUV: no half-life' });
    expect(suvFactor({ ...HEADER, startTime: undefined })).toEqual({ unavailable: 'SUV: no injection or series time' });
    expect(suvFactor({ ...HEADER, seriesTime: '110000' })).toEqual({ unavailable: 'SUV: series time after acquisition' });
    expect(suvFactor({ ...HEADER, startTime: undefined, startDateTime: '20240102110000' })).toEqual({ unavailable: 'SUV: injection after series start' });
    // Enhanced PET gives its dose in MBq, elsewhere in the header: not read as Bq.
    expect(suvFactor({ ...HEADER, sopClass: '1.2.840.10008.5.1.4.1.1.130' })).toEqual({ unavailable: 'SUV: not a classic PET image' });
  });

  it('is read from a PET file in the imaging sandbox’s facts, and only for PET', async () => {
    const facts = async (...changes: Parameters<typeof petDicom>) => viewFacts(readInstance(await petDicom(...changes), DEFAULT_LIMITS).dicom).suv;
    const byHand = PET.weightKg * 1000 / (PET.doseBq * Math.pow(2, -PET.elapsedS / PET.halfLifeS));
    const suv = await facts();
    expect(suv && 'factor' in suv && suv.factor.toPrecision(4)).toBe(byHand.toPrecision(4));
    expect(await facts('no-weight')).toEqual({ unavailable: 'SUV: no weight in header' });
    expect(await facts('cnts')).toEqual({ unavailable: 'SUV: units not Bq/ml' });
    expect(await facts('decay-none')).toEqual({ unavailable: 'SUV: not decay corrected' });
    const ct = await readFile(`${PYDICOM}/CT_small.dcm`);
    expect(viewFacts(readInstance(ct, DEFAULT_LIMITS).dicom).suv).toBeUndefined();
  });
});
