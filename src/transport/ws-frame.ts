/**
 * RFC 6455 §5.2 framing of a server-to-client text message: FIN + opcode 1, unmasked (servers
 * never mask), with the payload copied in so one buffer is one write. `ws` frames the same way
 * (`Sender.frame`); doing it here lets a fan-out frame a message once for every socket.
 */
const FIN_TEXT = 0x81;

/** `payload` as bytes, or as text, which is then encoded straight into the frame (one buffer). */
export function encodeTextFrame(payload: Buffer | string): Buffer {
  const text = typeof payload === 'string';
  const length = text ? Buffer.byteLength(payload, 'utf8') : payload.length;
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
  if (text) frame.write(payload, header, length, 'utf8');
  else payload.copy(frame, header);
  return frame;
}
