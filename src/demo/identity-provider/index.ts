// A local OpenID Provider (oidc-provider) for the demo and the end-to-end
// tests: the demo hospital's sign-in, entirely in memory.
export { ACR_MFA, ACR_PASSWORD } from './acr.js';
export { createIdentityProvider } from './create.js';
export { DEFAULT_ONE_TIME_CODE, DEMO_PASSWORD, DEMO_PEOPLE, DEMO_PRIVACY_OFFICERS } from './people.js';
export { startIdentityProvider } from './start.js';
export type { DemoClient, DemoPerson, IdentityProvider, IdentityProviderOptions, Lifetimes, RunningIdentityProvider, StartOptions } from './types.js';
