/**
 * Why a signature does not verify: tries the strings and secrets an auth endpoint most often
 * gets wrong and names the first that matches. Pure: no I/O, no clock. The signature compared
 * here came from the endpoint under test; it is never printed.
 */
import { hmacSha256Hex, safeEqual } from '../../auth/hmac.ts';
import { DEFAULT_APP } from '../../config/schema.ts';

/** One string the endpoint may have signed, and how to say so. */
interface Candidate {
  readonly text: string;
  /** How the mistake reads, e.g. "over the channel name without the socket id". */
  readonly mistake: string;
}

export interface SignatureInput {
  readonly key: string;
  readonly secret: string;
  /** The hex part of `auth`, after `KEY:`. */
  readonly signature: string;
  /** The string the server verifies. */
  readonly expected: string;
  /** How `expected` is built, for messages: `socket_id:channel`, … */
  readonly expectedForm: string;
  readonly wrongStrings: readonly Candidate[];
}

export type SignatureVerdict = { ok: true } | { ok: false; message: string; cause: string };

const verifies = (secret: string, text: string, signature: string) =>
  safeEqual(hmacSha256Hex(secret, text), signature);

export function diagnoseSignature(input: SignatureInput): SignatureVerdict {
  const { secret, signature, expected, expectedForm } = input;
  if (verifies(secret, expected, signature)) return { ok: true };
  if (verifies(secret, expected, signature.toLowerCase())) {
    return {
      ok: false,
      message: 'is upper-case hex',
      cause: 'the server compares lower-case hex digests: use digest("hex") as it is',
    };
  }
  for (const candidate of input.wrongStrings) {
    if (candidate.text !== expected && verifies(secret, candidate.text, signature)) {
      return {
        ok: false,
        message: `does not verify: it is ${candidate.mistake}`,
        cause: `sign exactly \`${expectedForm}\``,
      };
    }
  }
  const otherSecrets: Array<[string, string]> = [
    [input.key, 'the app key instead of the secret'],
    ...(secret === DEFAULT_APP.secret
      ? []
      : [
          [DEFAULT_APP.secret, `Pushwire's default secret \`${DEFAULT_APP.secret}\``] as [
            string,
            string,
          ],
        ]),
  ];
  for (const [other, what] of otherSecrets) {
    for (const text of [expected, ...input.wrongStrings.map((c) => c.text)]) {
      if (verifies(other, text, signature)) {
        const form = text === expected ? `\`${expectedForm}\`` : 'a wrong string';
        return {
          ok: false,
          message: `does not verify: it matches ${form} signed with ${what}`,
          cause: "the endpoint must sign with this app's secret (the one given with --secret)",
        };
      }
    }
  }
  return {
    ok: false,
    message: `does not verify over \`${expectedForm}\` with this secret`,
    cause:
      'most likely it is signed with another secret (check the secret the endpoint is configured ' +
      'with), or over a string other than the ones checked',
  };
}

/** The mistakes tried for a private or encrypted channel. */
export function privateMistakes(socketId: string, channel: string, channelData?: string) {
  const list: Candidate[] = [
    { text: channel, mistake: 'over the channel name without the socket id' },
    { text: socketId, mistake: 'over the socket id alone' },
    { text: `${channel}:${socketId}`, mistake: 'over `channel:socket_id` (the order is swapped)' },
    { text: `${socketId}:${channel}:`, mistake: 'over `socket_id:channel:` (a trailing colon)' },
    { text: `${socketId}${channel}`, mistake: 'over socket id and channel without the colon' },
  ];
  if (channelData !== undefined) {
    list.push({
      text: `${socketId}:${channel}:${channelData}`,
      mistake: 'signed like a presence channel (with channel_data), but this channel is private',
    });
  }
  return list;
}

/** The mistakes tried for a presence channel whose response carries `channel_data`. */
export function presenceMistakes(socketId: string, channel: string, channelData: string) {
  const list: Candidate[] = [
    {
      text: `${socketId}:${channel}`,
      mistake: 'over `socket_id:channel`, leaving channel_data out',
    },
    ...privateMistakes(socketId, channel).filter((c) => !c.text.endsWith(':')),
    {
      text: `${socketId}:${channel}:`,
      mistake: 'over `socket_id:channel:` with an empty channel_data',
    },
    {
      text: `${channel}:${channelData}`,
      mistake: 'over `channel:channel_data`, without the socket id',
    },
  ];
  for (const text of reserializations(channelData)) {
    list.push({
      text: `${socketId}:${channel}:${text}`,
      mistake:
        'over a different serialization of channel_data than the string returned ' +
        '(sign the exact channel_data string you send)',
    });
  }
  return list;
}

/** The mistakes tried for user authentication. */
export function userMistakes(socketId: string, userData: string) {
  const list: Candidate[] = [
    {
      text: `${socketId}:user:${userData}`,
      mistake: 'over `socket_id:user:user_data` (single colons)',
    },
    { text: `${socketId}::${userData}`, mistake: 'over `socket_id::user_data` (no `user`)' },
    { text: `${socketId}:${userData}`, mistake: 'over `socket_id:user_data`' },
    { text: userData, mistake: 'over user_data alone' },
    { text: `${socketId}::user::`, mistake: 'over `socket_id::user::` without user_data' },
  ];
  for (const text of reserializations(userData)) {
    list.push({
      text: `${socketId}::user::${text}`,
      mistake:
        'over a different serialization of user_data than the string returned ' +
        '(sign the exact user_data string you send)',
    });
  }
  return list;
}

/** Other JSON texts of the same value, as an endpoint that serializes twice might sign. */
function reserializations(json: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  const texts = [
    JSON.stringify(value),
    JSON.stringify(value, null, 2),
    JSON.stringify(value, null, 4),
  ];
  return [...new Set(texts)].filter((text) => text !== json);
}
