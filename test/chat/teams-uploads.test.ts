// What Loupe takes from a Teams message's attachments: which are uploads,
// and nothing of a pasted image's markup but an id that cannot climb a path.
import { describe, expect, it } from 'vitest';
import type { TeamsActivity } from '../../src/chat/teams/activity.js';
import { parseSourceRef, uploadsIn } from '../../src/chat/teams/uploads.js';

const channelMessage = (attachments: TeamsActivity['attachments']): TeamsActivity => ({
  type: 'message',
  id: '1764500000001',
  serviceUrl: 'https://smba.trafficmanager.net/emea/',
  conversation: { id: '19:wound@thread.tacv2;messageid=1764500000001', conversationType: 'channel' },
  attachments,
});
const img = (id: string) => `<img src="https://graph.microsoft.com/v1.0/teams/g/channels/c/messages/1/hostedContents/${id}/$value">`;

describe('the uploads of a Teams message', () => {
  it('takes SharePoint files and pasted images in a channel, each with a PHI-free source ref', () => {
    const uploads = uploadsIn(channelMessage([{ contentType: 'reference', contentUrl: 'https://h.sharepoint.com/sites/T/Shared%20Documents/General/jane.jpg', name: 'jane.jpg' }, { contentType: 'text/html', content: `<div>${img('aWQ9MQ==')}</div>` }]), 'channel');
    expect(uploads.map((u) => u.locator.via)).toEqual(['share', 'hosted']);
    for (const u of uploads) expect(u.sourceRef.startsWith('19:wound@thread.tacv2;messageid=1764500000001|1764500000001|')).toBe(true);
    expect(new Set(uploads.map((u) => u.sourceRef)).size).toBe(2);
    expect(uploads.some((u) => u.sourceRef.includes('jane') || u.sourceRef.includes('sharepoint'))).toBe(false);
    expect(parseSourceRef(uploads[1]!.sourceRef)).toEqual({ conversationId: '19:wound@thread.tacv2;messageid=1764500000001', messageId: '1764500000001' });
  });

  it('names each file the same way when an edit sends the message again with its attachments reordered', () => {
    const file = { contentType: 'reference', contentUrl: 'https://h.sharepoint.com/sites/T/Shared%20Documents/General/a.jpg', name: 'a.jpg' };
    const pasted = { contentType: 'text/html', content: img('aWQ9MQ==') };
    const before = uploadsIn(channelMessage([file, pasted]), 'channel').map((u) => u.sourceRef);
    const after = uploadsIn({ ...channelMessage([pasted, file]), type: 'messageUpdate' }, 'channel').map((u) => u.sourceRef);
    expect(after.sort()).toEqual(before.sort());
  });

  it('skips a pasted image whose id is a path or a broken escape, and keeps the message’s other images', () => {
    const uploads = uploadsIn(channelMessage([{ contentType: 'text/html', content: `${img('%2E%2E')}${img('%ZZ')}${img('..')}${img('a%3Cb')}${img('aWQ9Mg==')}` }]), 'channel');
    expect(uploads.map((u) => u.locator)).toEqual([{ via: 'hosted', contentId: 'aWQ9Mg==' }]);
  });

  it('names a personal-chat file by its own id, not by its download link, which changes at every delivery', () => {
    const delivery = (tempauth: string) => ({ ...channelMessage([{ contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'a.jpg', content: { downloadUrl: `https://h-my.sharepoint.com/personal/x/download.aspx?tempauth=${tempauth}`, uniqueId: 'U1', fileType: 'jpg' } }]), conversation: { id: 'a:1personal', conversationType: 'personal' } });
    const [first] = uploadsIn(delivery('one'), 'personal');
    const [again] = uploadsIn({ ...delivery('two'), type: 'messageUpdate' }, 'personal');
    expect(again!.sourceRef).toBe(first!.sourceRef);
  });

  it('takes only personal-chat shapes in a personal chat, and only channel shapes elsewhere', () => {
    const download = { contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'a.jpg', content: { downloadUrl: 'https://h-my.sharepoint.com/personal/x/_layouts/15/download.aspx?tempauth=t', uniqueId: 'u', fileType: 'jpg' } };
    expect(uploadsIn(channelMessage([download]), 'channel')).toEqual([]);
    expect(uploadsIn(channelMessage([download, { contentType: 'text/html', content: img('aWQ9MQ==') }]), 'personal').map((u) => u.locator.via)).toEqual(['download']);
  });
});
