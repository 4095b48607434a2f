import { randomHex } from '../ids.js';

/** One rendering of the app in the portal's frame: who opened it, where it was posted, and what for. */
export interface FrameSession {
  /** A new id per rendering (DOC settings/oauth/simple-way.md: "created anew on every render"). */
  appSid: string;
  userId: number;
  /** The origin of the URL the frame was posted to: messages from any other origin are refused. */
  appOrigin: string;
  /** The frame shows the install page: only then does `installFinish` count. */
  install: boolean;
  createdAt: number;
}

const MAX_SESSIONS = 500;

/** The app frames rendered on one portal, by `APP_SID`; the oldest are forgotten past a cap. */
export class FrameSessions {
  readonly #byId = new Map<string, FrameSession>();

  /** Starts a rendering and returns it with its fresh `APP_SID`. */
  open(s: Omit<FrameSession, 'appSid'>): FrameSession {
    const session: FrameSession = { ...s, appSid: randomHex(16) };
    this.#byId.set(session.appSid, session);
    if (this.#byId.size > MAX_SESSIONS) {
      const oldest = this.#byId.keys().next();
      if (!oldest.done) this.#byId.delete(oldest.value);
    }
    return session;
  }

  get(appSid: string): FrameSession | undefined {
    return this.#byId.get(appSid);
  }

  /** The install page finished: its session no longer finishes anything. */
  end(appSid: string): void {
    const s = this.#byId.get(appSid);
    if (s) s.install = false;
  }
}
