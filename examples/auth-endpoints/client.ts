// client.ts: pusher-js options for the endpoints above. The browser sends the session cookie by
// itself; the CSRF token goes in a header (read from a <meta name="csrf-token"> tag, say).
export const authOptions = (csrfToken: string, origin = '') => ({
  channelAuthorization: {
    endpoint: `${origin}/pusher/auth`,
    transport: 'ajax' as const,
    headers: { 'X-CSRF-Token': csrfToken },
  },
  userAuthentication: {
    endpoint: `${origin}/pusher/user-auth`,
    transport: 'ajax' as const,
    headers: { 'X-CSRF-Token': csrfToken },
  },
});

// const pusher = new Pusher('app-key', {
//   cluster: 'pushwire', wsHost: 'realtime.example.com', forceTLS: true,
//   ...authOptions(document.querySelector('meta[name=csrf-token]')!.getAttribute('content')!),
// });
