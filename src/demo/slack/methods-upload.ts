// Uploads by the app itself (files.uploadV2 in @slack/web-api): announce the
// file (files.getUploadURLExternal), send its bytes to the URL given, then
// complete it (files.completeUploadExternal). Completed without a channel,
// the file is shared nowhere: only its uploader, and any message that shows
// it, reach it. Loupe's card previews are such files.
import { fail, ok, type Method } from './method.js';
import { fileObject } from './objects.js';
import { str, structured } from './params.js';
import { fileTypes } from './file-types.js';
import type { StoredFile } from './state.js';

// Slack's own ceiling for one file.
const MAX_LENGTH = 1024 * 1024 * 1024;

const getUploadUrl: Method = ({ state, caller, params }) => {
  const name = str(params, 'filename');
  const length = Number(str(params, 'length'));
  if (!name) return fail('invalid_arguments');
  if (!Number.isInteger(length) || length <= 0 || length > MAX_LENGTH) return fail('invalid_arguments');
  const id = state.ids.next('F');
  state.pendingUploads.set(id, { id, name, length, altText: str(params, 'alt_text'), user: caller.userId, bytes: undefined });
  return ok({ upload_url: `${state.origin}/upload/v1/${id}`, file_id: id });
};

const complete: Method = ({ state, caller, params }) => {
  const files = structured(params, 'files');
  if (!Array.isArray(files) || files.length === 0) return fail('invalid_arguments');
  if (str(params, 'channel_id') || str(params, 'channels')) return fail('not_supported_by_stand_in');
  const done: StoredFile[] = [];
  for (const f of files as { id?: unknown; title?: unknown }[]) {
    const pending = typeof f.id === 'string' ? state.pendingUploads.get(f.id) : undefined;
    if (!pending || pending.user !== caller.userId) return fail('file_not_found');
    // Slack completes only what arrived whole.
    if (!pending.bytes || pending.bytes.length !== pending.length) return fail('file_upload_size_mismatch');
    done.push({
      id: pending.id,
      name: pending.name,
      title: typeof f.title === 'string' ? f.title : pending.name,
      ...fileTypes(pending.name, undefined),
      user: pending.user,
      created: Math.floor(state.now() / 1000),
      bytes: pending.bytes,
      shares: [],
      deleted: false,
    });
  }
  for (const file of done) {
    state.pendingUploads.delete(file.id);
    state.files.set(file.id, file);
  }
  return ok({ files: done.map((f) => ({ id: f.id, title: f.title })) });
};

export const uploadMethods: Record<string, Method> = {
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': complete,
};
