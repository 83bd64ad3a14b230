// Loupe's version, from its package.json (one folder up from src/ and dist/,
// two from dist-bench/src/): what the DICOM it writes names as the software
// that wrote it.
import { readFileSync } from 'node:fs';

export function loupeVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'loupe' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there from this build's folder: the next one up.
    }
  }
  return 'unknown';
}
