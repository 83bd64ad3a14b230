// The contract every Web API method handler follows: the caller (from the
// token), the arguments, and a reply that is Slack's JSON as is. Failures are
// HTTP 200 with ok:false and an error code, exactly as Slack answers.
import type { Params } from './params.js';
import type { Caller, StandInState } from './state.js';

export interface MethodContext {
  state: StandInState;
  caller: Caller;
  params: Params;
}

export type Reply = Record<string, unknown>;
export type Method = (ctx: MethodContext) => Reply;

export function ok(fields: Reply = {}): Reply {
  return { ok: true, ...fields };
}

export function fail(error: string): Reply {
  return { ok: false, error };
}
