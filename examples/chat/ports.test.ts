import { describe, expect, it } from 'vitest';
import { chatPorts } from './ports.ts';

describe("the chat example's ports", () => {
  it('default to 6001, 3000 and 3001', () => {
    expect(chatPorts([], {})).toEqual({ pushwirePort: 6001, chatPort: 3000, jsonpPort: 3001 });
  });

  it('move together with --port-offset', () => {
    expect(chatPorts(['--port-offset', '10'], {})).toEqual({
      pushwirePort: 6011,
      chatPort: 3010,
      jsonpPort: 3011,
    });
  });

  it("take PUSHWIRE_PORT (the server's variable) and the example's own variables", () => {
    const env = { PUSHWIRE_PORT: '7001', CHAT_PORT: '8080', CHAT_JSONP_PORT: '8081' };
    expect(chatPorts([], env)).toEqual({ pushwirePort: 7001, chatPort: 8080, jsonpPort: 8081 });
  });

  it('let flags win over the environment, and keep the offset for the ports left unset', () => {
    const ports = chatPorts(['--chat-port', '9000', '--port-offset', '1'], {
      CHAT_PORT: '8080',
      PUSHWIRE_PORT: '7001',
    });
    expect(ports).toEqual({ pushwirePort: 7001, chatPort: 9000, jsonpPort: 3002 });
  });

  it('refuse a value that is not a port, naming where it came from', () => {
    expect(() => chatPorts([], { PUSHWIRE_PORT: 'tcp://10.0.0.1:6001' })).toThrow(
      'PUSHWIRE_PORT must be a port number, got tcp://10.0.0.1:6001',
    );
    expect(() => chatPorts(['--jsonp-port', '70000'], {})).toThrow('--jsonp-port must be a port');
  });
});
