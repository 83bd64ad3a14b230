// The App Home tab: what Loupe is, how to use it, and for admins where the
// channel policies are set. Published on each visit; no patient data.
import type { App } from '@slack/bolt';

export function registerHome(bolt: App, isAdmin: (userId: string) => Promise<boolean>): void {
  bolt.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const admin = await isAdmin(event.user);
    const text = (t: string) => ({ type: 'section', text: { type: 'mrkdwn', text: t } });
    await client.views.publish({
      user_id: event.user,
      view: {
        type: 'home',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'Loupe' } },
          text('Loupe keeps clinical photos and medical images out of the chat. In a consult channel where interception is on, drop a photo, a DICOM file or a zipped study as usual: Loupe takes it out of Slack, stores it encrypted with the patient, and posts a card in the thread. *View* on the card opens it after hospital sign-in.'),
          text('*Asking for a second opinion?* Post the image in the thread and use *Invite specialist* on the card. A specialist you invite can view it, but cannot invite others.'),
          text('*Posted an image where Loupe is not intercepting?* Use the message shortcut *Secure with Loupe* on it.'),
          text('`/loupe status` shows what Loupe holds for a channel.'),
          ...(admin ? [text('*Admin:* `/loupe policy` in a channel shows and sets its policy: interception, accepted kinds, card lifetime, patient identifier pattern. `/loupe policy workspace` sets the default for every channel.')] : []),
        ],
      },
    });
  });
}
