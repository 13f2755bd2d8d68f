/**
 * The example's identity layer: two demo users, cookie sessions held in memory, a CSRF token per
 * session, and short-lived signed tickets for the JSONP page (which cannot send headers).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DemoUser {
  readonly id: string;
  readonly name: string;
  readonly password: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { id: 'alice', name: 'Alice', password: 'wonderland' },
  { id: 'bob', name: 'Bob', password: 'builder' },
];

export interface Session {
  readonly id: string;
  readonly user: DemoUser;
  /** Sent back by the page in `X-CSRF-Token`; a cross-site form post cannot know it. */
  readonly csrfToken: string;
}

export const SESSION_COOKIE = 'chat_sid';
const token = () => randomBytes(24).toString('base64url');

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  login(userId: string, password: string): Session | undefined {
    const user = DEMO_USERS.find((candidate) => candidate.id === userId);
    if (!user || !safeEqual(user.password, password)) return undefined;
    const session = { id: token(), user, csrfToken: token() };
    this.#sessions.set(session.id, session);
    return session;
  }

  logout(sessionId: string): void {
    this.#sessions.delete(sessionId);
  }

  /** The session named by the request's cookie header, if any. */
  fromCookie(cookieHeader: string | undefined): Session | undefined {
    for (const part of (cookieHeader ?? '').split(';')) {
      const [name, value] = part.trim().split('=');
      if (name === SESSION_COOKIE && value) return this.#sessions.get(value);
    }
    return undefined;
  }

  /** True when `header` is the session's CSRF token. */
  checkCsrf(session: Session, header: string | string[] | undefined): boolean {
    return typeof header === 'string' && safeEqual(header, session.csrfToken);
  }
}

/**
 * Tickets let the JSONP page prove it was served by us without cookies or headers: an expiry
 * time and its HMAC under a secret the two example servers share.
 */
export class TicketIssuer {
  readonly #secret = randomBytes(32);

  constructor(private readonly lifetimeMs = 10 * 60_000) {}

  issue(now = Date.now()): string {
    const expires = String(now + this.lifetimeMs);
    return `${expires}.${this.#sign(expires)}`;
  }

  isValid(ticket: string | undefined, now = Date.now()): boolean {
    const [expires, signature] = (ticket ?? '').split('.');
    if (!expires || !signature || Number(expires) < now) return false;
    return safeEqual(signature, this.#sign(expires));
  }

  #sign(text: string): string {
    return createHmac('sha256', this.#secret).update(text).digest('base64url');
  }
}
