// What a user's file or pasted image becomes, by place: channels keep files in
// the team's SharePoint site and group chats in the poster's OneDrive (both
// read through Graph /shares); personal chats hand the bot a pre-authenticated
// download link. Pasted images are Graph hosted contents, except in personal
// chats, where the Bot Connector serves them.
import { randomBytes, randomUUID } from 'node:crypto';
import { baseId, teamDrive, userDrive, type Conversation, type TeamsState } from './state.js';
import type { Attachment, PostFile, PostFiles, TeamsUser } from './types.js';

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp',
  heic: 'image/heic', tif: 'image/tiff', tiff: 'image/tiff', dcm: 'application/dicom', pdf: 'application/pdf',
};

function extension(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** SharePoint keeps both when a name is taken: 'x.jpg', then 'x 1.jpg'. */
function freeName(state: TeamsState, folder: string, name: string): string {
  const taken = new Set([...state.files.values()].map((f) => f.webUrl));
  const dot = name.lastIndexOf('.');
  for (let n = 0; ; n += 1) {
    const candidate = n === 0 ? name : dot > 0 ? `${name.slice(0, dot)} ${n}${name.slice(dot)}` : `${name} ${n}`;
    if (!taken.has(`${folder}/${encodeURIComponent(candidate)}`)) return candidate;
  }
}

function folderOf(state: TeamsState, c: Conversation, user: TeamsUser): { url: string; driveId: string; folderPath: string } {
  if (c.type === 'channel') {
    const driveId = teamDrive(c.team.aadGroupId);
    return { url: `${state.origins.files}/sites/${encodeURIComponent(c.team.name)}/Shared%20Documents/${encodeURIComponent(c.channel.name)}`, driveId, folderPath: `/drives/${driveId}/root:/${c.channel.name}` };
  }
  const drive = user.email.replace(/[@.]/g, '_');
  const driveId = userDrive(user.aadObjectId);
  return { url: `${state.origins.files}/personal/${drive}/Documents/Microsoft%20Teams%20Chat%20Files`, driveId, folderPath: `/drives/${driveId}/root:/Microsoft Teams Chat Files` };
}

function fileAttachment(state: TeamsState, c: Conversation, user: TeamsUser, p: { name: string; bytes: Buffer }): Attachment {
  const folder = folderOf(state, c, user);
  const name = freeName(state, folder.url, p.name);
  const id = randomUUID();
  const webUrl = `${folder.url}/${encodeURIComponent(name)}`;
  state.files.set(id, { id, name, bytes: p.bytes, contentType: TYPES[extension(name)] ?? 'application/octet-stream', webUrl, driveId: folder.driveId, folderPath: folder.folderPath });
  if (c.type !== 'personal') return { contentType: 'reference', contentUrl: webUrl, name };
  return {
    contentType: 'application/vnd.microsoft.teams.file.download.info',
    contentUrl: webUrl,
    name,
    content: { downloadUrl: state.downloadUrl(id), uniqueId: id, fileType: extension(name) },
  };
}

function imageHtml(src: string, itemId: string, text: string | undefined): Attachment {
  const caption = text ? `<p>${escapeHtml(text)}</p>` : '';
  const img = `<img height="250" src="${src}" width="250" style="vertical-align:bottom; width:250px; height:250px" itemid="${itemId}">`;
  return { contentType: 'text/html', content: `<div><div><span>${img}</span></div>${caption}</div>` };
}

export function pastedAttachments(state: TeamsState, c: Conversation, messageId: string, p: PostFile): Attachment[] {
  const contentType = TYPES[extension(p.name)] ?? 'image/png';
  const conversation = baseId(c);
  if (c.type === 'personal') {
    const id = `0-weu-d1-${randomBytes(16).toString('hex')}`;
    state.hosted.set(id, { bytes: p.bytes, contentType, messageId, conversation });
    const url = `${state.serviceUrl}v3/attachments/${id}/views/original`;
    return [{ contentType, contentUrl: url }, imageHtml(url, id, p.text)];
  }
  const hc = Buffer.from(`id=x_0-weu-d1-${randomBytes(16).toString('hex')},type=1`).toString('base64url');
  state.hosted.set(hc, { bytes: p.bytes, contentType, messageId, conversation });
  const graph = `${state.origins.graph}/v1.0`;
  const where = c.type === 'channel' ? `teams/${c.team.aadGroupId}/channels/${c.channel.id}` : `chats/${c.chat.id}`;
  return [imageHtml(`${graph}/${where}/messages/${messageId}/hostedContents/${hc}/$value`, hc, p.text)];
}

export function fileAttachments(state: TeamsState, c: Conversation, user: TeamsUser, p: PostFiles): Attachment[] {
  return p.files.map((f) => fileAttachment(state, c, user, f));
}
