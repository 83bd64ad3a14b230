// The viewer's repositories, built together from one database.
import type { Database } from './database.js';
import { IdentityLinks } from './identity-links.js';
import { LoginAttempts } from './login-attempts.js';
import { ViewCards } from './view-cards.js';
import { ViewerAssets } from './viewer-assets.js';

export interface ViewerRepos {
  cards: ViewCards;
  assets: ViewerAssets;
  identityLinks: IdentityLinks;
  logins: LoginAttempts;
}

export function viewerRepos(db: Database): ViewerRepos {
  return { cards: new ViewCards(db), assets: new ViewerAssets(db), identityLinks: new IdentityLinks(db), logins: new LoginAttempts(db) };
}
