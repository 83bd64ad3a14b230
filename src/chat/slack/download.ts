// Slack's files come from its file host, with the bot token.
import { checkFileUrl as checkUrl, downloadFile } from '../download.js';

export const checkFileUrl = (url: string, hosts: string[]) => checkUrl(url, hosts, 'Slack');

export const downloadSlackFile = (url: string, o: { token: string; hosts: string[]; maxBytes: number }) => downloadFile(url, { ...o, platform: 'Slack' });
