import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFileUrl, downloadSlackFile } from '../../src/chat/slack/download.js';

describe('downloading an upload from Slack', () => {
  let server: Server;
  let host: string;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.url === '/login') return void res.writeHead(302, { location: '/signin' }).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(req.url === '/big' ? 5000 : 100, 7));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('refuses any host but the configured ones, plain http beyond this machine, and credentials in the URL', () => {
    for (const url of ['https://evil.example/f', 'http://files.slack.com/f', 'https://u:p@files.slack.com/f', 'file:///etc/passwd', 'not a url']) {
      expect(() => checkFileUrl(url, ['files.slack.com']), url).toThrow(/refused|not a URL/);
    }
    expect(checkFileUrl('https://files.slack.com/files-pri/T1-F1/x.jpg', ['files.slack.com']).host).toBe('files.slack.com');
  });

  it('sends the token only to an allowed host, stops at the size cap, and treats a redirect to sign-in as a failure', async () => {
    expect((await downloadSlackFile(`http://${host}/ok`, { token: 'xoxb-t', hosts: [host], maxBytes: 1000 })).length).toBe(100);
    expect(seen.at(-1)).toBe('Bearer xoxb-t');
    await expect(downloadSlackFile(`http://${host}/big`, { token: 'xoxb-t', hosts: [host], maxBytes: 1000 })).rejects.toMatchObject({ code: 'LOUPE_IMAGE_TOO_LARGE' });
    await expect(downloadSlackFile(`http://${host}/login`, { token: 'xoxb-t', hosts: [host], maxBytes: 1000 })).rejects.toMatchObject({ code: 'LOUPE_SLACK_DOWNLOAD_FAILED' });
    const count = seen.length;
    await expect(downloadSlackFile(`http://${host}/ok`, { token: 'xoxb-t', hosts: ['files.slack.com'], maxBytes: 1000 })).rejects.toMatchObject({ code: 'LOUPE_INVALID_INPUT' });
    expect(seen.length).toBe(count);
  });
});
