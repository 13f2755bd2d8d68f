/**
 * `npx tsx examples/chat/main.ts`: runs the chat example until Ctrl-C. Ports come from flags,
 * then PUSHWIRE_PORT, CHAT_PORT and CHAT_JSONP_PORT, then 6001, 3000 and 3001 (see ports.ts).
 */
import { startChatExample } from './example.ts';
import { PORTS_USAGE, chatPorts } from './ports.ts';

let ports;
try {
  ports = chatPorts(process.argv.slice(2), process.env);
} catch (error) {
  console.error(`${(error as Error).message}\n\n${PORTS_USAGE}`);
  process.exit(2);
}

const example = await startChatExample(ports);
console.log(`Pushwire:   ${example.pushwireUrl}`);
console.log(`Chat:       ${example.chatUrl}   (sign in as alice/wonderland or bob/builder)`);
console.log(`JSONP page: ${example.jsonpUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void example.close().then(() => process.exit(0));
  });
}
