// oidc-provider's storage, in memory and per provider instance (its built-in
// one is shared by the whole process and announces itself on the console).
// Entries expire on their own; a cap keeps a long-running demo bounded.
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';

const MAX_ENTRIES = 20_000;
/** Models whose records die with their grant (revokeByGrantId). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

interface Entry {
  payload: AdapterPayload;
  expiresAt: number;
}

class MemoryStore {
  private readonly entries = new Map<string, Entry>();
  /** Session uid or user code -> record key. */
  private readonly lookups = new Map<string, string>();
  /** Grant id -> keys of the records issued under it. */
  private readonly grants = new Map<string, Set<string>>();

  get(key: string): AdapterPayload | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  set(key: string, model: string, payload: AdapterPayload, expiresIn: number | undefined): void {
    this.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.evict();
    const expiresAt = expiresIn === undefined ? Number.POSITIVE_INFINITY : Date.now() + expiresIn * 1000;
    this.entries.set(key, { payload, expiresAt });
    if (model === 'Session' && payload.uid) this.lookups.set(`uid:${payload.uid}`, key);
    if (payload.userCode) this.lookups.set(`userCode:${payload.userCode}`, key);
    if (GRANTABLE.has(model) && payload.grantId) {
      const members = this.grants.get(payload.grantId) ?? new Set<string>();
      members.add(key);
      this.grants.set(payload.grantId, members);
    }
  }

  lookup(index: string): AdapterPayload | undefined {
    const key = this.lookups.get(index);
    return key === undefined ? undefined : this.get(key);
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    const { uid, userCode, grantId } = entry.payload;
    if (uid && this.lookups.get(`uid:${uid}`) === key) this.lookups.delete(`uid:${uid}`);
    if (userCode && this.lookups.get(`userCode:${userCode}`) === key) this.lookups.delete(`userCode:${userCode}`);
    if (grantId) {
      const members = this.grants.get(grantId);
      members?.delete(key);
      if (members?.size === 0) this.grants.delete(grantId);
    }
  }

  revokeGrant(grantId: string): void {
    for (const key of [...(this.grants.get(grantId) ?? [])]) this.delete(key);
    this.grants.delete(grantId);
  }

  /** Drops expired entries, then the oldest ones if still full. */
  private evict(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.delete(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size < MAX_ENTRIES * 0.9) break;
      this.delete(key);
    }
  }
}

/** A fresh, empty store for one provider: oidc-provider instantiates the class once per model. */
export function createMemoryAdapter(): AdapterConstructor {
  const store = new MemoryStore();
  return class MemoryAdapter implements Adapter {
    constructor(private readonly model: string) {}

    private key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      store.set(this.key(id), this.model, payload, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return store.get(this.key(id));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return store.lookup(`uid:${uid}`);
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return store.lookup(`userCode:${userCode}`);
    }

    async consume(id: string): Promise<void> {
      const payload = store.get(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      store.revokeGrant(grantId);
    }
  };
}
