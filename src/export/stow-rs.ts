// A DICOMweb STOW-RS client (PS3.18 10.5): stores Part 10 instances in a PACS
// with one POST of a multipart/related body to {service root}/studies. Every
// failure is a StowError whose code and `retryable` flag tell a durable job
// whether to try again later; messages carry HTTP status codes only, never
// what the PACS answered (an answer may quote patient data).
import { randomUUID } from 'node:crypto';
import { ErrorCode, LoupeError } from '../core/errors.js';
import { metaElements } from '../imaging/dicom/layout.js';
import { outcomesOf, parseStowAnswer, type InstanceOutcome } from './stow-response.js';

export type { InstanceOutcome } from './stow-response.js';

export type PacsAuth = { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string } | { kind: 'none' };

export interface StoreInstancesOptions {
  /** The DICOMweb service root, e.g. http://pacs/dicom-web (no credentials in it). */
  url: URL;
  auth: PacsAuth;
  /** DICOM Part 10 files. */
  instances: Buffer[];
  /** For the whole exchange, answer included. */
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface StoreInstancesResult {
  /**
   * 200 (all stored), 202 (some failed, or stored with warnings), or a 4xx
   * whose answer names instances it stored all the same (Orthanc: 400).
   */
  httpStatus: number;
  /** One per instance, in the order given. */
  instances: InstanceOutcome[];
}

type StowErrorCode = typeof ErrorCode.PacsAuthRefused | typeof ErrorCode.PacsRefused | typeof ErrorCode.PacsUnavailable;

export class StowError extends LoupeError {
  /** Whether the same request may succeed later (PACS unavailable), or needs a person (credentials, the instances). */
  readonly retryable: boolean;
  /** The PACS's HTTP status; absent when it did not answer. */
  readonly httpStatus: number | undefined;
  /** Per-instance outcomes when the PACS said which instances it refused. */
  readonly instances: InstanceOutcome[] | undefined;

  constructor(code: StowErrorCode, message: string, details: { httpStatus?: number; instances?: InstanceOutcome[]; cause?: unknown }) {
    super(code, message, { cause: details.cause });
    this.name = 'StowError';
    this.retryable = code === ErrorCode.PacsUnavailable;
    this.httpStatus = details.httpStatus;
    this.instances = details.instances;
  }
}

const MEDIA_STORAGE_SOP_INSTANCE_UID = 0x00020003;

/** The instance's UID from its file meta group, to match the PACS's answer to it; undefined when the file has none. */
function sopInstanceUidOf(part10: Buffer): string | undefined {
  if (part10.length < 132 || part10.subarray(128, 132).toString('latin1') !== 'DICM') return undefined;
  try {
    const span = metaElements(part10).find((s) => s.tag === MEDIA_STORAGE_SOP_INSTANCE_UID);
    return span && part10.subarray(span.valueStart, span.end).toString('latin1').replace(/[\0 ]+$/, '');
  } catch {
    return undefined;
  }
}

function authorization(auth: PacsAuth): string | undefined {
  switch (auth.kind) {
    case 'basic':
      // RFC 7617: the user id cannot hold a colon; UTF-8 for both.
      if (auth.user.includes(':')) throw new LoupeError(ErrorCode.InvalidInput, 'the PACS user name holds a colon');
      return `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
    case 'bearer':
      // RFC 6750's token characters; anything else (a pasted line break) would fail as a network error and be retried forever.
      if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(auth.token)) throw new LoupeError(ErrorCode.InvalidInput, 'the PACS bearer token holds characters a token cannot');
      return `Bearer ${auth.token}`;
    case 'none':
      return undefined;
  }
}

function studiesUrl(root: URL): URL {
  if (root.protocol !== 'http:' && root.protocol !== 'https:') throw new LoupeError(ErrorCode.InvalidInput, 'the DICOMweb service root is not an http(s) URL');
  // Credentials go in the Authorization header only (fetch refuses them in a URL).
  if (root.username || root.password) throw new LoupeError(ErrorCode.InvalidInput, 'the DICOMweb service root holds credentials');
  const url = new URL(root.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/studies`;
  url.search = '';
  url.hash = '';
  return url;
}

/** PS3.18 8.6.1.2: each instance one application/dicom part, under a boundary none of them contains. */
function multipart(instances: Buffer[]): { boundary: string; body: Buffer } {
  let boundary = `loupe-${randomUUID()}`;
  while (instances.some((i) => i.includes(boundary, 0, 'latin1'))) boundary = `loupe-${randomUUID()}`;
  const parts: Buffer[] = [];
  for (const instance of instances) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, 'latin1'), instance, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { boundary, body: Buffer.concat(parts) };
}

// Failure reasons A7xx are "out of resources" (PS3.4 Annex B.2.3): the PACS may take the same instances later.
const outOfResources = (o: InstanceOutcome) => o.status === 'failed' && o.failureReason !== undefined && o.failureReason >>> 8 === 0xa7;

const unavailable = (httpStatus: number | undefined, message: string, cause?: unknown) => new StowError(ErrorCode.PacsUnavailable, message, { httpStatus, cause });

/** A Store Instances Response names each instance in a few hundred bytes: an answer over this is not one. */
const MAX_ANSWER_BYTES = 1024 * 1024;

async function boundedText(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.length;
    if (bytes > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      throw new StowError(ErrorCode.PacsRefused, `the PACS answered with more than ${MAX_ANSWER_BYTES} bytes (HTTP ${response.status})`, { httpStatus: response.status });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function storeInstances(o: StoreInstancesOptions): Promise<StoreInstancesResult> {
  if (o.instances.length === 0) throw new LoupeError(ErrorCode.InvalidInput, 'no instances to store');
  if (!(o.timeoutMs > 0)) throw new LoupeError(ErrorCode.InvalidInput, 'the PACS time-out is not a positive number of milliseconds');
  const url = studiesUrl(o.url);
  const auth = authorization(o.auth);
  const { boundary, body } = multipart(o.instances);
  const sent = o.instances.map(sopInstanceUidOf);
  const doFetch = o.fetch ?? fetch;
  const headers: Record<string, string> = {
    'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
    accept: 'application/dicom+json',
  };
  if (auth) headers.authorization = auth;

  let status: number;
  let text: string;
  try {
    const response = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(o.timeoutMs), redirect: 'manual' });
    status = response.status;
    // Read (under the same deadline) so the connection is freed; only codes and UIDs are kept from it.
    text = await boundedText(response);
  } catch (cause) {
    if (cause instanceof StowError) throw cause;
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw unavailable(undefined, timedOut ? `the PACS did not answer within ${o.timeoutMs} ms` : 'the PACS could not be reached', cause);
  }

  if (status === 401 || status === 403) throw new StowError(ErrorCode.PacsAuthRefused, `the PACS refused Loupe's credentials (HTTP ${status})`, { httpStatus: status });
  // Request timeout, too many requests, server errors: the PACS may take the same request later.
  if (status === 408 || status === 429 || status >= 500) throw unavailable(status, `the PACS is unavailable (HTTP ${status})`);
  const answer = parseStowAnswer(text);
  // PS3.18 wants 202 when some instances failed; Orthanc's plugin answers 400 and still stores the others, naming them:
  // whatever the status, instances the answer says were stored are reported, not lost in an error.
  const named = answer.stored.size > 0 || answer.failed.size > 0;
  if (status === 200 || status === 202 || named) {
    // Only what the answer names as stored counts: a 200 that names nothing (a sign-in page of a proxy, a wrong URL) stored nothing Loupe knows of.
    const instances = outcomesOf(sent, answer, false);
    if (instances.some((i) => i.status === 'stored')) return { httpStatus: status, instances };
    if (instances.every(outOfResources)) throw new StowError(ErrorCode.PacsUnavailable, `the PACS is out of resources (HTTP ${status})`, { httpStatus: status, instances });
    throw new StowError(ErrorCode.PacsRefused, `the PACS stored none of the instances (HTTP ${status})`, { httpStatus: status, instances });
  }
  // 400, 409 (conflict: e.g. unsupported SOP class, study UID mismatch), 404, 415 and the rest: the same request would fail again.
  // So would a redirect (a service root that moved), which is not followed: the credentials would go with it.
  throw new StowError(ErrorCode.PacsRefused, `the PACS refused the instances (HTTP ${status})`, { httpStatus: status });
}
