import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoupeError } from '../../src/core/errors.js';
import { DEFAULT_LIMITS } from '../../src/imaging/limits.js';
import { cleanPhoto } from '../../src/imaging/photo.js';
import { sniff, type PhotoKind } from '../../src/imaging/sniff.js';
import { PLANTED, makePhotoFixtures } from '../support/photos.js';

async function clean(bytes: Buffer, limits = DEFAULT_LIMITS) {
  const s = sniff(bytes);
  if (s.family !== 'photo') throw new Error(`not a photo: ${s.kind}`);
  return cleanPhoto(bytes, s.kind as PhotoKind, limits);
}

/** What exiftool, the tool a privacy officer would reach for, finds in a file. */
function exiftoolGroups(path: string): string[] {
  const out = JSON.parse(execFileSync('exiftool', ['-j', '-G', path], { encoding: 'utf8' })) as Record<string, unknown>[];
  return [...new Set(Object.keys(out[0] ?? {}).map((k) => k.split(':')[0]!))].filter((g) => !['SourceFile', 'ExifTool', 'File', 'Composite'].includes(g));
}

async function pixel(data: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data: raw, info } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [raw[i]!, raw[i + 1]!, raw[i + 2]!];
}

describe('cleaning photos', () => {
  let dir: string;
  let photos: Awaited<ReturnType<typeof makePhotoFixtures>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loupe-photo-'));
    photos = await makePhotoFixtures(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('removes every piece of metadata from a phone JPEG and says what it removed', async () => {
    const original = await readFile(photos.jpeg);
    for (const value of PLANTED) expect(original.includes(value), `fixture lacks ${value}`).toBe(true);
    const result = await clean(original);
    for (const out of [result.derivative.data, result.preview.data]) {
      for (const value of PLANTED) expect(out.includes(value), value).toBe(false);
      expect(out.includes('Exif\0')).toBe(false);
      expect(out.includes('http://ns.adobe.com/xap/1.0/')).toBe(false);
      expect(out.includes('Photoshop 3.0')).toBe(false);
    }
    const path = join(dir, 'cleaned.jpg');
    await writeFile(path, result.derivative.data);
    expect(exiftoolGroups(path)).toEqual([]);
    expect(result.removed).toEqual(
      expect.arrayContaining(['EXIF', 'GPS position', 'camera serial number', 'owner or artist', 'dates', 'descriptions', 'embedded thumbnail', 'XMP', 'IPTC']),
    );
    expect(result.derivative.mediaType).toBe('image/jpeg');
  });

  it('keeps a portrait upright: the EXIF orientation is applied to the pixels', async () => {
    const result = await clean(await readFile(photos.jpeg));
    // Stored 300×200 with "rotate 90 CW": shown 200×300, the red left half now on top.
    expect([result.derivative.width, result.derivative.height]).toEqual([200, 300]);
    expect([result.preview.width, result.preview.height]).toEqual([200, 300]);
    expect((await pixel(result.preview.data, 100, 40))[0]).toBeGreaterThan(180);
    const top = await pixel(result.derivative.data, 100, 40);
    const bottom = await pixel(result.derivative.data, 100, 260);
    expect(top[0]).toBeGreaterThan(180);
    expect(top[2]).toBeLessThan(70);
    expect(bottom[2]).toBeGreaterThan(180);
    expect(bottom[0]).toBeLessThan(70);
  });

  it('decodes an HEVC-coded HEIC from an iPhone-like encoder and strips its metadata', async () => {
    const original = await readFile(photos.heic);
    expect(original.includes('SN-PLANTED-7781')).toBe(true);
    const result = await clean(original);
    expect([result.derivative.width, result.derivative.height]).toEqual([300, 200]);
    for (const value of PLANTED) expect(result.derivative.data.includes(value)).toBe(false);
    expect(result.removed).toEqual(expect.arrayContaining(['EXIF', 'GPS position', 'XMP']));
    const left = await pixel(result.derivative.data, 40, 100);
    expect(left[0]).toBeGreaterThan(160);
  });

  it.each(['png', 'webp', 'tiff', 'gif'] as const)('cleans %s', async (kind) => {
    const result = await clean(await readFile(photos[kind]));
    expect([result.derivative.width, result.derivative.height]).toEqual([300, 200]);
    expect(result.derivative.mediaType).toBe(kind === 'webp' ? 'image/jpeg' : 'image/png');
    for (const value of PLANTED) expect(result.derivative.data.includes(value)).toBe(false);
    const path = join(dir, `cleaned-${kind}`);
    await writeFile(path, result.derivative.data);
    expect(exiftoolGroups(path).filter((g) => ['EXIF', 'XMP', 'IPTC', 'ICC_Profile'].includes(g))).toEqual([]);
  });

  it('makes a small preview without enlarging', async () => {
    const big = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#884422' } }).jpeg().toBuffer();
    const result = await clean(big);
    expect([result.preview.width, result.preview.height]).toEqual([512, 384]);
    expect([result.derivative.width, result.derivative.height]).toEqual([4000, 3000]);
    expect((await clean(await readFile(photos.png))).preview.width).toBe(300);
  });

  it('converts a wide-gamut photo to sRGB and drops its profile', async () => {
    const p3 = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#ff0000' } })
      .withIccProfile('p3')
      .jpeg()
      .toBuffer();
    expect((await sharp(p3).metadata()).icc).toBeDefined();
    const result = await clean(p3);
    const meta = await sharp(result.derivative.data).metadata();
    expect(meta.icc).toBeUndefined();
    expect(meta.space).toBe('srgb');
    expect(result.removed).toContain('ICC profile');
  });

  it('refuses a decompression bomb before decoding it', async () => {
    // 16000×16000 of one colour compresses to a few hundred kB of PNG.
    const bomb = await sharp({ create: { width: 16000, height: 16000, channels: 3, background: '#000' } }).png().toBuffer();
    expect(bomb.length).toBeLessThan(2_000_000);
    await expect(clean(bomb, { ...DEFAULT_LIMITS, maxPixels: 100_000_000 })).rejects.toSatisfy((e) =>
      isLoupeError(e, 'LOUPE_IMAGE_TOO_MANY_PIXELS'),
    );
  });

  it('refuses oversized files and too many frames', async () => {
    const bytes = await readFile(photos.jpeg);
    await expect(clean(bytes, { ...DEFAULT_LIMITS, maxBytes: 100 })).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_IMAGE_TOO_LARGE'));
    // Three different 10×10 frames (identical ones would be merged by the encoder).
    const strip = Buffer.alloc(10 * 30 * 3);
    for (let i = 0; i < strip.length; i++) strip[i] = Math.floor(i / 300) * 80;
    const frames = await sharp(strip, { raw: { width: 10, height: 30, channels: 3, pageHeight: 10 } }).gif().toBuffer();
    await expect(clean(frames, { ...DEFAULT_LIMITS, maxFrames: 2 })).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_IMAGE_TOO_MANY_FRAMES'));
    const kept = await clean(frames);
    expect(kept.warnings).toEqual(['kept the first of 3 frames or pages']);
  });

  it.each([
    ['a truncated JPEG', async () => (await readFile(photos.jpeg)).subarray(0, 2000)],
    ['a truncated HEIC', async () => (await readFile(photos.heic)).subarray(0, 1500)],
    ['a PNG with a damaged body', async () => {
      const b = Buffer.from(await readFile(photos.png));
      b.fill(0x41, 60, 400);
      return b;
    }],
  ])('reports %s as corrupt, with a typed error', async (_label, make) => {
    await expect(clean(await make())).rejects.toSatisfy((e) => isLoupeError(e, 'LOUPE_IMAGE_CORRUPT'));
  });
});
