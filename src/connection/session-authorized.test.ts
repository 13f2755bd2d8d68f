import { describe, expect, it } from 'vitest';
import { createHub } from '../../test/helpers/session-harness.ts';

const DEADLINE = { authorizedConnectionsTimeoutSeconds: 30 };
const NOT_AUTHORIZED = {
  event: 'pusher:error',
  data: { code: 4009, message: 'Connection not authorized within timeout' },
};

describe('authorized connections', () => {
  it('closes with 4009 a connection neither signed in nor privately subscribed by the deadline', async () => {
    const hub = createHub({ app: DEADLINE });
    const c = hub.connect();
    await c.subscribe('public-news');
    hub.clock.advanceSeconds(29);
    c.session.checkActivity();
    expect(c.transport.closedWith).toBeUndefined();
    hub.clock.advanceSeconds(1);
    c.session.checkActivity();
    expect(c.take()).toContainEqual(NOT_AUTHORIZED);
    expect(c.transport.closedWith?.code).toBe(4009);
  });

  it('keeps a connection that signed in', async () => {
    const hub = createHub({ app: DEADLINE });
    const c = hub.connect();
    await c.signIn({ id: 'ada' });
    hub.clock.advanceSeconds(60);
    c.session.checkActivity();
    expect(c.transport.closedWith).toBeUndefined();
  });

  it.each(['private-room', 'presence-room', 'private-encrypted-room'])(
    'keeps a connection subscribed to %s with a valid signature',
    async (channel) => {
      const hub = createHub({ app: DEADLINE });
      const c = hub.connect();
      await c.subscribeSigned(channel, { user_id: 'ada' });
      hub.clock.advanceSeconds(60);
      c.session.checkActivity();
      expect(c.transport.closedWith).toBeUndefined();
    },
  );

  it('does not count a subscription refused for a bad signature', async () => {
    const hub = createHub({ app: DEADLINE });
    const c = hub.connect();
    await c.subscribe('private-room', { auth: 'app-key:not-a-signature' });
    hub.clock.advanceSeconds(30);
    c.session.checkActivity();
    expect(c.transport.closedWith?.code).toBe(4009);
  });

  it('does not count a presence subscription refused because the channel is full', async () => {
    const hub = createHub({ app: { ...DEADLINE, maxPresenceMembers: 1 } });
    await hub.connect().subscribeSigned('presence-room', { user_id: 'first' });
    const c = hub.connect();
    await c.subscribeSigned('presence-room', { user_id: 'second' });
    hub.clock.advanceSeconds(30);
    c.session.checkActivity();
    expect(c.transport.closedWith?.code).toBe(4009);
  });

  it('counts the deadline from when the app turned it on, not from the connection', () => {
    const hub = createHub();
    const c = hub.connect();
    hub.clock.advanceSeconds(100);
    c.session.checkActivity();
    Object.assign(hub.app, DEADLINE);
    hub.clock.advanceSeconds(29);
    c.session.checkActivity();
    expect(c.transport.closedWith?.code).not.toBe(4009);
    hub.clock.advanceSeconds(1);
    c.session.checkActivity();
    expect(c.transport.closedWith?.code).toBe(4009);
  });

  it('leaves connections alone when the app sets no deadline', () => {
    const hub = createHub();
    const c = hub.connect();
    hub.clock.advanceSeconds(3600);
    c.session.checkActivity();
    expect(c.transport.closedWith?.code).not.toBe(4009);
  });
});
