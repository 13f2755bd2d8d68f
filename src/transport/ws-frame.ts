/**
 * RFC 6455 §5.2 framing of a server-to-client text message: FIN + opcode 1, unmasked (servers
 * never mask), with the payload copied in so one buffer is one write. `ws` frames the same way
 * (`Sender.frame`); doing it here lets a fan-out frame a message once for every socket.
 */
const FIN_TEXT = 0x81;

export function encodeTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = FIN_TEXT;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(0, 2);
    frame.writeUInt32BE(length, 6);
  }
  payload.copy(frame, header);
  return frame;
}
