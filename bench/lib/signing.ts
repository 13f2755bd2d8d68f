/** Pusher signatures made by hand with node:crypto (docs/protocol.md §5.4, §5.5, §11.2). */
import { createHash, createHmac } from 'node:crypto';

const hmacHex = (secret: string, text: string) =>
  createHmac('sha256', secret).update(text).digest('hex');

/** `auth` for a private channel subscription. */
export const privateAuth = (key: string, secret: string, socketId: string, channel: string) =>
  `${key}:${hmacHex(secret, `${socketId}:${channel}`)}`;

/** `auth` for a presence subscription; `channelData` must be sent exactly as signed. */
export const presenceAuth = (
  key: string,
  secret: string,
  socketId: string,
  channel: string,
  channelData: string,
) => `${key}:${hmacHex(secret, `${socketId}:${channel}:${channelData}`)}`;

/** The signed path + query of an HTTP API request with a JSON body. */
export function signedApiPath(
  appId: string,
  key: string,
  secret: string,
  method: string,
  resource: string,
  body: string,
): string {
  const path = `/apps/${appId}/${resource}`;
  const params: [string, string][] = [
    ['auth_key', key],
    ['auth_timestamp', String(Math.floor(Date.now() / 1000))],
    ['auth_version', '1.0'],
  ];
  if (body.length > 0) params.push(['body_md5', createHash('md5').update(body).digest('hex')]);
  params.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const query = params.map(([name, value]) => `${name}=${value}`).join('&');
  const signature = hmacHex(secret, `${method}\n${path}\n${query}`);
  return `${path}?${query}&auth_signature=${signature}`;
}

/**
 * A signed `pusher:subscribe` frame for socket `socketId`: private, or presence as user `u{n}`
 * with `user_info` `{ n }`.
 */
export function subscribeFrame(
  app: { key: string; secret: string },
  kind: string,
  socketId: string,
  channel: string,
  n: number,
): string {
  let data: Record<string, string>;
  if (kind === 'presence') {
    const channelData = JSON.stringify({ user_id: `u${n}`, user_info: { n } });
    const auth = presenceAuth(app.key, app.secret, socketId, channel, channelData);
    data = { channel, auth, channel_data: channelData };
  } else {
    data = { channel, auth: privateAuth(app.key, app.secret, socketId, channel) };
  }
  return JSON.stringify({ event: 'pusher:subscribe', data });
}
