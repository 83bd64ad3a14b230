// Loupe's version, from its package.json (one folder up from src/ and dist/
// alike): what the DICOM it writes names as the software that wrote it.
import { readFileSync } from 'node:fs';

export function loupeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}
