// The chat platforms' adapters are loaded only for the platforms the
// configuration names: their SDKs (Bot Framework alone is some 600 modules)
// are most of what a start-up loads, and a hospital on one platform never
// needs the other's.
import type { Config } from '../config.js';

export interface ChatAdapterModules {
  slack?: typeof import('./slack/adapter.js');
  teams?: typeof import('./teams/adapter.js');
}

export async function loadChatAdapters(config: Pick<Config, 'slack' | 'teams'>): Promise<ChatAdapterModules> {
  const [slack, teams] = await Promise.all([config.slack ? import('./slack/adapter.js') : undefined, config.teams ? import('./teams/adapter.js') : undefined]);
  return { ...(slack ? { slack } : {}), ...(teams ? { teams } : {}) };
}
