// Teams' side of /api/messages: POST the activity with a token signed as the
// Bot Framework signs it, and hand back Loupe's answer (an invoke's answer is
// its body). Each delivery is recorded like a call, token kind included.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { TeamsState } from './state.js';
import type { Activity, Delivery, RecordedCall } from './types.js';

export async function deliver(state: TeamsState, activity: Activity, o: { token?: string } = {}): Promise<Delivery> {
  const url = state.deliverTo;
  if (!url) throw new LoupeError(ErrorCode.ConfigInvalid, 'the Teams stand-in has no URL to deliver to');
  const serviceUrl = typeof activity['serviceUrl'] === 'string' ? activity['serviceUrl'] : state.serviceUrl;
  const token = o.token ?? (await state.keys.inboundToken(serviceUrl));
  const body = JSON.stringify(activity);
  const auth = (await state.keys.isInbound(token, serviceUrl)) ? 'bot_connector' : 'invalid';
  const call: RecordedCall = { host: 'delivery', method: 'POST', path: new URL(url).pathname, auth, status: 0, body };
  state.calls.push(call);
  const res = await fetch(url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8', 'User-Agent': 'Microsoft-SkypeBotApi (Microsoft-BotFramework 3.0)' },
    body,
    redirect: 'manual',
  });
  call.status = res.status;
  const text = await res.text();
  return { status: res.status, body: parseMaybe(text) };
}

function parseMaybe(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : '';
  } catch {
    return text;
  }
}
