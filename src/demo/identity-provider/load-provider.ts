// oidc-provider prints an "unsupported runtime" warning when imported on a
// Node.js release older than 22 LTS (it runs, and is tested here, on 20). The
// provider must log nothing, so that one line is held back while it loads.
import type ProviderClass from 'oidc-provider';
import type { interactionPolicy as InteractionPolicy } from 'oidc-provider';

const RUNTIME_NOTICE = 'oidc-provider WARNING: Unsupported runtime';

async function quietImport(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes(RUNTIME_NOTICE)) return;
    warn(...args);
  };
  try {
    return await import('oidc-provider');
  } finally {
    console.warn = warn;
  }
}

const oidc = await quietImport();

export const Provider: typeof ProviderClass = oidc.default;
export const interactionPolicy: typeof InteractionPolicy = oidc.interactionPolicy;
export const errors: typeof import('oidc-provider').errors = oidc.errors;
