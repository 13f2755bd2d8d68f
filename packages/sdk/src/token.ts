/** An app key and secret: signs strings and checks signatures (official SDK `Token`). */
import { hmacSha256Hex, secureCompare } from './crypto.ts';

export class Token {
  constructor(
    readonly key: string,
    readonly secret: string,
  ) {}

  /** Lowercase hex HMAC-SHA256 of the UTF-8 bytes of `text`. */
  sign(text: string): string {
    return hmacSha256Hex(this.secret, text);
  }

  verify(text: string, signature: string): boolean {
    return typeof signature === 'string' && secureCompare(this.sign(text), signature);
  }
}
