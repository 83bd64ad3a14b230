// Modals. Slack opens one only against a trigger id it handed out with an
// interaction less than 3 seconds ago, once; the stand-in holds Loupe to the
// same, since a slow handler is a real failure on Slack.
import { fail, ok, type Method, type MethodContext, type Reply } from './method.js';
import { INVALID, str, structured } from './params.js';
import type { StandInState, StoredView } from './state.js';

function viewArg(ctx: MethodContext): Record<string, unknown> | undefined {
  const view = structured(ctx.params, 'view');
  if (view === INVALID || typeof view !== 'object' || view === null || Array.isArray(view)) return undefined;
  const v = view as Record<string, unknown>;
  return typeof v['type'] === 'string' ? v : undefined;
}

/** undefined when the trigger is good (and now spent), else Slack's error. */
function spendTrigger(state: StandInState, triggerId: string | undefined): string | undefined {
  if (triggerId === undefined) return 'invalid_arguments';
  const trigger = state.triggers.get(triggerId);
  if (!trigger) return 'invalid_trigger_id';
  if (trigger.used) return 'exchanged_trigger_id';
  if (state.now() > trigger.expiresAt) return 'expired_trigger_id';
  trigger.used = true;
  return undefined;
}

function viewObject(state: StandInState, v: StoredView): Record<string, unknown> {
  return {
    state: { values: {} },
    private_metadata: '',
    callback_id: '',
    clear_on_close: false,
    notify_on_close: false,
    ...v.view,
    id: v.id,
    team_id: state.teamId,
    hash: v.hash,
    root_view_id: v.rootViewId,
    previous_view_id: v.previousViewId,
    external_id: v.externalId ?? '',
    app_id: state.appId,
    app_installed_team_id: state.teamId,
    bot_id: state.botId,
  };
}

function openView(ctx: MethodContext): Reply {
  const { state, params } = ctx;
  const view = viewArg(ctx);
  if (!view) return fail('invalid_arguments');
  const triggerError = spendTrigger(state, str(params, 'trigger_id'));
  if (triggerError) return fail(triggerError);
  const externalId = typeof view['external_id'] === 'string' ? view['external_id'] : undefined;
  if (externalId && [...state.views.values()].some((v) => v.externalId === externalId)) return fail('duplicate_external_id');
  const id = state.ids.next('V');
  const stored: StoredView = { id, externalId, hash: state.ids.next('h').toLowerCase(), rootViewId: id, previousViewId: null, view };
  state.views.set(id, stored);
  return ok({ view: viewObject(state, stored) });
}

const update: Method = (ctx) => {
  const { state, params } = ctx;
  const view = viewArg(ctx);
  if (!view) return fail('invalid_arguments');
  const viewId = str(params, 'view_id');
  const externalId = str(params, 'external_id');
  const stored = viewId ? state.views.get(viewId) : [...state.views.values()].find((v) => externalId !== undefined && v.externalId === externalId);
  if (!stored) return fail('not_found');
  const hash = str(params, 'hash');
  if (hash !== undefined && hash !== stored.hash) return fail('hash_conflict');
  stored.view = view;
  stored.hash = state.ids.next('h').toLowerCase();
  return ok({ view: viewObject(state, stored) });
};

/** A user's App Home tab: one view per user, replaced by each publish; no trigger needed. */
const publish: Method = (ctx) => {
  const { state, params } = ctx;
  const view = viewArg(ctx);
  const userId = str(params, 'user_id') ?? '';
  if (!view || view['type'] !== 'home') return fail('invalid_arguments');
  if (!state.users.has(userId)) return fail('user_not_found');
  const id = `home-${userId}`;
  const stored: StoredView = { id, externalId: undefined, hash: state.ids.next('h').toLowerCase(), rootViewId: id, previousViewId: null, view };
  state.views.set(id, stored);
  return ok({ view: viewObject(state, stored) });
};

export const viewMethods: Record<string, Method> = {
  'views.publish': publish,
  'views.open': openView,
  'views.push': openView,
  'views.update': update,
};
