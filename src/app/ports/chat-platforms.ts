// The one registry of chat platforms, built in main.ts: each configured
// adapter registers its gateway and directory under its platform's name, and
// use cases find the right one from the workspace they act in.
import { ErrorCode, LoupeError } from '../../core/errors.js';
import type { Database } from '../../storage/database.js';
import type { Platform } from '../../storage/prisma/enums.js';
import type { ChatDirectory } from './chat-directory.js';
import type { ChatGateway } from './chat-gateway.js';

export type { Platform };

export interface ChatPlatform {
  gateway: ChatGateway;
  directory: ChatDirectory;
}

export class ChatPlatforms {
  private readonly byName = new Map<Platform, ChatPlatform>();

  constructor(private readonly db: Database) {}

  register(platform: Platform, adapter: ChatPlatform): void {
    this.byName.set(platform, adapter);
  }

  has(platform: Platform): boolean {
    return this.byName.has(platform);
  }

  /** The registered platform, or a coded error naming none (a workspace of a platform this instance does not serve). */
  get(platform: Platform): ChatPlatform {
    const found = this.byName.get(platform);
    if (!found) throw new LoupeError(ErrorCode.PlatformNotConfigured, `no chat platform "${platform}" is configured`);
    return found;
  }

  /** The workspace's platform; undefined for a workspace Loupe does not know. */
  async platformOf(workspaceId: string): Promise<Platform | undefined> {
    return (await this.db.prisma.workspace.findUnique({ where: { id: workspaceId }, select: { platform: true } }))?.platform;
  }

  async forWorkspace(workspaceId: string): Promise<ChatPlatform> {
    const platform = await this.platformOf(workspaceId);
    if (!platform) throw new LoupeError(ErrorCode.NotFound, 'no such workspace');
    return this.get(platform);
  }
}
