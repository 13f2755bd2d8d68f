/**
 * `npx tsx examples/chat/main.ts`: runs the chat example until Ctrl-C. Ports default to 6001
 * (Pushwire), 3000 (chat) and 3001 (JSONP page); `--port-offset N` adds N to each.
 */
import { startChatExample } from './example.ts';

const offsetFlag = process.argv.indexOf('--port-offset');
const offset = offsetFlag >= 0 ? Number(process.argv[offsetFlag + 1] ?? 0) : 0;

const example = await startChatExample({
  pushwirePort: 6001 + offset,
  chatPort: 3000 + offset,
  jsonpPort: 3001 + offset,
});
console.log(`Pushwire:   ${example.pushwireUrl}`);
console.log(`Chat:       ${example.chatUrl}   (sign in as alice/wonderland or bob/builder)`);
console.log(`JSONP page: ${example.jsonpUrl}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void example.close().then(() => process.exit(0));
  });
}
