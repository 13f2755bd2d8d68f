// An app's test with pushwire/testing and Vitest.
import Pusher from 'pusher';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../../src/testing/index.ts';

/** The code under test: tells the customer's browser that an order was placed. */
async function placeOrder(pusher: Pusher, customerId: string, order: { id: number }) {
  await pusher.trigger(`private-customer-${customerId}`, 'order-placed', order);
}

let pw: TestServer;
beforeAll(async () => {
  pw = await startTestServer();
});
afterEach(() => pw.reset());
afterAll(() => pw.stop());

test('placing an order notifies the customer', async () => {
  const pusher = new Pusher(pw.pusherOptions);
  await placeOrder(pusher, '42', { id: 7 });
  await pw.expectEvent({ channel: 'private-customer-42', event: 'order-placed', data: { id: 7 } });
});

test('a customer who never subscribed triggers no webhook', async () => {
  await placeOrder(new Pusher(pw.pusherOptions), '43', { id: 8 });
  await expect(pw.expectWebhook({ name: 'channel_occupied' }, 200)).rejects.toThrow(
    'no "channel_occupied" webhook',
  );
});
