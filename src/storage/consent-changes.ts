// The in-process signal that a patient's recorded consents changed: the
// consent use cases tell it after commit, and whatever remembers decisions
// read from consents (the viewer's view decisions) listens and forgets them,
// so the next request is decided on the new consents. One per process, built
// with the storage (createStorage) and reached through it by every path that
// changes consents: chat, console, and CLI commands run inside the server
// through runAdmin. With several Loupe instances behind one database this
// signal reaches only the instance that made the change: the others would
// need a shared signal (database notification or similar); until then they
// forget at most one view-decision window (5 s) later.
export type ConsentChangeListener = (patientId: string) => void;

export class ConsentChanges {
  private readonly listeners = new Set<ConsentChangeListener>();

  /** Returns the unsubscribe function. */
  subscribe(listener: ConsentChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** After commit: the patient's consents are no longer what anyone read before now. */
  changed(patientId: string): void {
    // Listeners only forget what they hold in memory: one failing cannot stop the others.
    for (const listener of this.listeners) {
      try {
        listener(patientId);
      } catch {
        // A listener that cannot forget still has its own short window.
      }
    }
  }
}
