// An app's test with pushwire/testing and Jest (ESM): a real pusher-js client joins a presence
// channel, and the app's server code publishes to it with the official SDK.
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import Pusher from 'pusher';
import PusherClient from 'pusher-js';
import { startTestServer } from 'pushwire/testing';

let pw;
beforeAll(async () => {
  pw = await startTestServer();
});
afterEach(() => pw.reset());
afterAll(() => pw.stop());

test('a visitor joins the room and receives announcements', async () => {
  const client = new PusherClient(pw.key, pw.pusherJsNodeOptions({ id: 'ada' }));
  const room = client.subscribe('presence-room');
  await pw.expectMember('presence-room', 'ada');
  const announced = new Promise((resolve) => room.bind('announcement', resolve));
  await new Pusher(pw.pusherOptions).trigger('presence-room', 'announcement', { text: 'hi' });
  expect(await announced).toEqual({ text: 'hi' });
  client.disconnect();
  await pw.expectNoMember('presence-room', 'ada');
});
