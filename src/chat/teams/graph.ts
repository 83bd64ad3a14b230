// Microsoft Graph, as Loupe's Teams adapter uses it: the app token goes only
// to the configured Graph host; file bytes come from SharePoint through
// /shares (its redirect is followed only to an allowed file host, without
// the token), pasted images from hosted contents; messages are read back
// and hidden (policyViolation); team owners are listed.
import type { TeamsConfig } from '../../config.js';
import { ErrorCode, LoupeError } from '../../core/errors.js';
import { checkFileUrl, downloadFile, readCapped } from '../download.js';
import type { EntraTokens } from './entra-token.js';

export interface GraphMessage {
  id: string;
  deletedDateTime: string | null;
  policyViolation: { dlpAction?: string } | null;
}

/** Where files of a conversation may be: a drive, and (channels) a folder in it. */
export interface FileArea {
  driveId: string;
  folderPath: string | undefined;
}

/** A drive path with its escapes undone; one that cannot be undone matches nothing. */
function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '\u0000';
  }
}

/** Pages of a list Loupe reads at most: a user in more teams than this many pages hold is not a case the console must serve. */
const MAX_PAGES = 20;

export class Graph {
  private readonly base: string;
  private readonly scope: string;

  constructor(
    private readonly teams: TeamsConfig,
    private readonly tokens: EntraTokens,
  ) {
    this.base = teams.graphUrl.href.replace(/\/$/, '');
    this.scope = `${teams.graphUrl.origin}/.default`;
  }

  /** A Graph call; `path` is built by Loupe from ids, never taken from a payload. */
  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${await this.tokens.token(this.scope)}` };
    return fetch(`${this.base}/${path}`, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  }

  private static failed(what: string, response: Response): LoupeError {
    return new LoupeError(ErrorCode.TeamsRequestFailed, `Microsoft Graph refused to ${what} (HTTP ${response.status})`);
  }

  /**
   * A SharePoint or OneDrive file by its URL, through /shares, only when it is
   * in `allowed` (a drive, and a folder in it): the app may read any file of
   * the tenant, so a message naming another site's file must not make it.
   */
  async sharedFile(url: string, maxBytes: number, allowed: FileArea): Promise<Buffer> {
    const id = `u!${Buffer.from(url, 'utf8').toString('base64url')}`;
    const item = await this.json<{ size?: number; parentReference?: { driveId?: string; path?: string } }>(`shares/${id}/driveItem?$select=id,size,parentReference`, 'read a shared file');
    if (!item) throw new LoupeError(ErrorCode.DownloadFailed, 'the file is no longer in Teams');
    // Graph gives paths percent-encoded; a folder's name comes as it is: both are compared decoded.
    const path = decodedPath(item.parentReference?.path ?? '');
    const folder = allowed.folderPath === undefined ? undefined : decodedPath(allowed.folderPath);
    const inFolder = folder === undefined || path === folder || path.startsWith(`${folder}/`);
    if (item.parentReference?.driveId !== allowed.driveId || !inFolder) throw new LoupeError(ErrorCode.InvalidInput, 'the file is not among this conversation’s files: refused');
    if ((item.size ?? 0) > maxBytes) throw new LoupeError(ErrorCode.ImageTooLarge, `the file is larger than the limit of ${maxBytes} bytes`);
    const response = await this.call(`shares/${id}/driveItem/content`);
    if (response.status === 302 || response.status === 303) {
      await response.body?.cancel();
      const location = response.headers.get('location') ?? '';
      // A pre-authenticated download: no token with it, and only from a file host.
      checkFileUrl(location, this.teams.fileHosts, 'Teams');
      return downloadFile(location, { hosts: this.teams.fileHosts, maxBytes, platform: 'Teams' });
    }
    return this.body(response, maxBytes, 'download a shared file');
  }

  /** Where a channel's files are: its folder in the team's document library. */
  async channelFiles(teamId: string, channelId: string): Promise<FileArea> {
    const folder = await this.json<{ name?: string; parentReference?: { driveId?: string; path?: string } }>(`teams/${encodeURIComponent(teamId)}/channels/${encodeURIComponent(channelId)}/filesFolder`, 'find the channel’s files');
    if (!folder?.parentReference?.driveId || !folder.name) throw new LoupeError(ErrorCode.TeamsRequestFailed, 'Microsoft Graph gave no files folder for the channel');
    return { driveId: folder.parentReference.driveId, folderPath: `${folder.parentReference.path ?? ''}/${folder.name}` };
  }

  /** Where a user's chat files are: their OneDrive. */
  async userFiles(userId: string): Promise<FileArea> {
    const drive = await this.json<{ id?: string }>(`users/${encodeURIComponent(userId)}/drive?$select=id`, 'find the sender’s OneDrive');
    if (!drive?.id) throw new LoupeError(ErrorCode.DownloadFailed, 'the sender has no OneDrive for Loupe to read the file from');
    return { driveId: drive.id, folderPath: undefined };
  }

  /** A Graph object; undefined when it is not there. */
  private async json<T>(path: string, what: string): Promise<T | undefined> {
    const response = await this.call(path);
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw Graph.failed(what, response);
    }
    return (await response.json()) as T;
  }

  /** A pasted image: a message's hosted content. */
  async hostedContent(messagePath: string, contentId: string, maxBytes: number): Promise<Buffer> {
    return this.body(await this.call(`${messagePath}/hostedContents/${encodeURIComponent(contentId)}/$value`), maxBytes, 'download a pasted image');
  }

  private async body(response: Response, maxBytes: number, what: string): Promise<Buffer> {
    if (response.status === 404) {
      await response.body?.cancel();
      throw new LoupeError(ErrorCode.DownloadFailed, 'the file is no longer in Teams');
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      if (response.status >= 500 || response.status === 429) throw Graph.failed(what, response);
      throw new LoupeError(ErrorCode.DownloadFailed, `Loupe could not download it from Teams (HTTP ${response.status})`);
    }
    return readCapped(response, maxBytes);
  }

  /** A message as Graph has it now; undefined when it is gone altogether. */
  async message(messagePath: string): Promise<GraphMessage | undefined> {
    const response = await this.call(messagePath);
    if (response.status === 404) return undefined;
    if (!response.ok) throw Graph.failed('read a message', response);
    return (await response.json()) as GraphMessage;
  }

  /** Hides a message from everyone but its sender (DLP BlockAccess). `false`: the tenant does not allow it. */
  async hide(messagePath: string): Promise<boolean> {
    const response = await this.call(messagePath, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        policyViolation: {
          dlpAction: 'BlockAccess',
          // The sender cannot override it: the original stays hidden.
          verdictDetails: 'None',
          policyTip: {
            generalText: 'Loupe secured this clinical image and took it out of the conversation. Open it from Loupe’s card in the thread.',
            complianceUrl: 'https://learn.microsoft.com/purview/dlp-microsoft-teams',
            matchedConditionDescriptions: ['Clinical image'],
          },
        },
      }),
    });
    await response.body?.cancel();
    if (response.ok) return true;
    // Not licensed for Communications DLP, or the permission was not granted.
    if (response.status === 403 || response.status === 401) return false;
    throw Graph.failed('hide a message', response);
  }

  /** Loupe's own card for `cardId` among a thread's replies (channels) or a chat's messages, if it was posted. */
  async findOwnCard(threadPath: string, isChannel: boolean, cardId: string, appId: string): Promise<string | undefined> {
    const list = isChannel ? `${threadPath}/replies` : threadPath.replace(/\/messages\/[^/]+$/, '/messages');
    const response = await this.call(`${list}?$top=50`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw Graph.failed('list messages', response);
    const messages = ((await response.json()) as { value?: { id: string; from?: { application?: { id?: string } | null } | null; attachments?: { content?: string | null }[] }[] }).value ?? [];
    const names = `"loupeCardId":"${cardId}"`;
    // Only Loupe's own messages count: another app's message naming the card does not.
    return messages.find((m) => m.from?.application?.id?.toLowerCase() === appId && (m.attachments ?? []).some((a) => a.content?.includes(names)))?.id;
  }

  /** The team's owners' Entra object ids. */
  async teamOwners(teamId: string): Promise<string[]> {
    const response = await this.call(`teams/${encodeURIComponent(teamId)}/members`);
    if (!response.ok) throw Graph.failed('list the team’s members', response);
    const members = ((await response.json()) as { value?: { userId?: string; roles?: string[] }[] }).value ?? [];
    return members.filter((m) => m.roles?.includes('owner') && m.userId).map((m) => m.userId!.toLowerCase());
  }

  /**
   * The ids of the team's standard channels (each the conversation id the Bot
   * Connector gives the channel); undefined when Graph does not let Loupe list
   * them. Private and shared channels are left out: a team's owner is not a
   * member of them by owning the team.
   */
  async teamChannels(teamId: string): Promise<string[] | undefined> {
    const response = await this.call(`teams/${encodeURIComponent(teamId)}/channels?$select=id,membershipType`);
    // Without the ChannelSettings.Read.Group consent: only the channels Loupe has seen count.
    if (response.status === 403 || response.status === 401) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) throw Graph.failed('list the team’s channels', response);
    const channels = ((await response.json()) as { value?: { id?: unknown; membershipType?: unknown }[] }).value ?? [];
    return channels.flatMap((c) => (typeof c.id === 'string' && c.membershipType === 'standard' ? [c.id] : []));
  }

  /** The Entra group ids of the teams the user is a direct member of; undefined when Graph does not let Loupe ask (no Team.ReadBasic.All). */
  async joinedTeams(userId: string): Promise<string[] | undefined> {
    const ids: string[] = [];
    let path: string | undefined = `users/${encodeURIComponent(userId)}/joinedTeams?$select=id`;
    for (let page = 0; path !== undefined && page < MAX_PAGES; page++) {
      const response = await this.call(path);
      if (response.status === 403 || response.status === 401) {
        await response.body?.cancel();
        return undefined;
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return [];
      }
      if (!response.ok) throw Graph.failed('list the user’s teams', response);
      const body = (await response.json()) as { value?: { id?: unknown }[]; '@odata.nextLink'?: unknown };
      ids.push(...(body.value ?? []).flatMap((t) => (typeof t.id === 'string' ? [t.id.toLowerCase()] : [])));
      const next = body['@odata.nextLink'];
      // Only a next page on Graph itself: the token goes nowhere else.
      path = typeof next === 'string' && next.startsWith(`${this.base}/`) ? next.slice(this.base.length + 1) : undefined;
    }
    return ids;
  }

  /** A user of this tenant, by Entra object id or email; undefined when none. */
  async user(idOrEmail: string): Promise<{ id: string } | undefined> {
    const response = await this.call(`users/${encodeURIComponent(idOrEmail)}?$select=id`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw Graph.failed('read a user', response);
    return (await response.json()) as { id: string };
  }
}
