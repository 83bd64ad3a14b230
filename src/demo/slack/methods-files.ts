// Files. A bot can read a clinician's upload but not remove it: only the
// admin's user token can, which is exactly the gap Loupe has to work within.
import { fail, ok, type Method } from './method.js';
import { fileObject } from './objects.js';
import { str } from './params.js';
import { mayDelete } from './permissions.js';
import type { StandInState, StoredFile } from './state.js';

function lookup(state: StandInState, id: string | undefined): StoredFile | 'file_not_found' | 'file_deleted' {
  const file = id === undefined ? undefined : state.files.get(id);
  if (!file) return 'file_not_found';
  return file.deleted ? 'file_deleted' : file;
}

const info: Method = ({ state, params }) => {
  const file = lookup(state, str(params, 'file'));
  if (typeof file === 'string') return fail(file);
  return ok({ file: fileObject(state, file), comments: [], response_metadata: { next_cursor: '' } });
};

const remove: Method = ({ state, caller, params }) => {
  const file = lookup(state, str(params, 'file'));
  if (typeof file === 'string') return fail(file);
  if (!mayDelete(state, caller, file.user)) return fail('cant_delete_file');
  file.deleted = true;
  return ok();
};

export const fileMethods: Record<string, Method> = {
  'files.info': info,
  'files.delete': remove,
};
