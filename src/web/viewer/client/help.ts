// The help panel: every shortcut and gesture, opened by the "?" button or the
// ? key and closed by either or by Esc. Focus moves into the panel when it
// opens and back to the button when it closes.
import { HELP } from './shortcuts.js';

export class Help {
  constructor(
    private readonly panel: HTMLElement,
    private readonly button: HTMLButtonElement,
  ) {
    const list = panel.querySelector('dl');
    list?.replaceChildren(
      ...HELP.flatMap(([keys, what]) => {
        const dt = document.createElement('dt');
        dt.textContent = keys;
        const dd = document.createElement('dd');
        dd.textContent = what;
        return [dt, dd];
      }),
    );
    button.addEventListener('click', () => this.toggle());
  }

  get open(): boolean {
    return !this.panel.hidden;
  }

  toggle(): void {
    if (this.open) return this.close();
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.panel.focus();
  }

  close(): void {
    if (!this.open) return;
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    this.button.focus();
  }
}
