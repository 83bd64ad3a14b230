// The viewer's announcements to a workspace's admins, in words. Slack's
// mention syntax for now: to be rendered by each chat adapter once notices
// are neutral (issue 10).
import type { BreakGlassOpened } from '../../app/viewer/request-break-glass.js';

export function breakGlassText(a: BreakGlassOpened): string {
  const until = a.until.toISOString().slice(0, 16).replace('T', ' ');
  return `Break-glass: <@${a.userId}> opened an image from this channel without an invitation, until ${until} UTC. The reason is in Loupe's records.`;
}
