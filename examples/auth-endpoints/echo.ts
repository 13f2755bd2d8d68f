// echo.ts: Laravel Echo on Pushwire. Echo hands these options to pusher-js; it posts to
// /broadcasting/auth and reads the X-CSRF-TOKEN from the csrf-token meta tag by itself.
export const echoPusherMode = (host: string, port: number, csrfToken: string) => ({
  broadcaster: 'pusher' as const,
  key: 'app-key',
  cluster: 'pushwire', // pusher-js 8 wants one; wsHost decides where it connects
  wsHost: host,
  wsPort: port,
  wssPort: port,
  forceTLS: false,
  enabledTransports: ['ws' as const, 'wss' as const],
  disableStats: true,
  authEndpoint: '/broadcasting/auth',
  auth: { headers: { 'X-CSRF-TOKEN': csrfToken } },
});

// The reverb broadcaster (Echo 1.16+) is the pusher one without the cluster: only the host.
export const echoReverbMode = (host: string, port: number) => ({
  broadcaster: 'reverb' as const,
  key: 'app-key',
  wsHost: host,
  wsPort: port,
  wssPort: port,
  forceTLS: false,
  enabledTransports: ['ws' as const, 'wss' as const],
});

// window.Pusher = Pusher; window.Echo = new Echo(echoPusherMode('realtime.example.com', 443, token));
