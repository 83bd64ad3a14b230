// Answering through an interaction's response_url after its request is over:
// the only way to change an ephemeral message (chat.update cannot). The URL
// travels through Slack (a modal's private_metadata), so it is used only when
// it points at Slack's own hosts.
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../logging.js';

export async function replaceOriginal(responseUrl: string, hosts: string[], message: { text: string; blocks?: unknown[] }, logger: Logger): Promise<void> {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    return;
  }
  if (!hosts.includes(url.host) || (url.protocol !== 'https:' && url.protocol !== 'http:')) return;
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ replace_original: true, blocks: [], ...message }), redirect: 'error' });
    if (!res.ok) logger.warn({ status: res.status }, 'Slack refused to replace a message');
  } catch (error) {
    logger.warn({ err: describeError(error) }, 'could not replace a message through its response_url');
  }
}
