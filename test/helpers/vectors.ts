/**
 * Loads the official SDK's test vectors from `shared/spec/vectors.json`. The `shared/` folder sits
 * beside the repository folder (also in CI), so it is resolved from the repo root's parent.
 */
import { readFileSync } from 'node:fs';

export const VECTORS_URL = new URL('../../../shared/spec/vectors.json', import.meta.url);

interface ChannelAuthExpected {
  string_to_sign: string;
  signature: string;
  auth: string;
  response_body: string;
  subscribe_frame: string;
}

export interface PrivateVector {
  input: { socket_id: string; channel_name: string };
  expected: ChannelAuthExpected;
}

export interface PresenceVector {
  note?: string;
  input: { socket_id: string; channel_name: string; channel_data_object: Record<string, unknown> };
  expected: ChannelAuthExpected & { channel_data: string; string_to_sign_utf8_hex: string };
}

export interface EncryptedVector {
  input: { socket_id: string; channel_name: string };
  expected: ChannelAuthExpected & { shared_secret: string; shared_secret_hex: string };
}

export interface UserVector {
  input: { socket_id: string; user_data_object: Record<string, unknown> };
  expected: {
    user_data: string;
    string_to_sign: string;
    signature: string;
    auth: string;
    response_body: string;
    signin_frame: string;
  };
}

export interface InputValidationVector {
  what: string;
  value: unknown;
  length?: number;
  sdk_accepts: boolean;
}

export interface Vectors {
  app: { app_id: string; key: string; secret: string; encryption_master_key_base64: string };
  private_channel_auth: PrivateVector[];
  presence_channel_auth: PresenceVector[];
  encrypted_channel_auth: EncryptedVector[];
  user_authentication: UserVector[];
  sdk_input_validation: InputValidationVector[];
  pusher_docs_worked_examples: {
    credentials: { app_id: string; key: string; secret: string };
    private_channel: {
      input: { socket_id: string; channel_name: string };
      expected: { auth: string };
    };
    presence_channel: {
      input: {
        socket_id: string;
        channel_name: string;
        channel_data_object: Record<string, unknown>;
      };
      expected: { channel_data: string; auth: string };
      docs_erratum: {
        printed_signature: string;
        printed_signature_matches_channel_data: string;
        sdk_auth_for_that_channel_data: string;
      };
    };
    user_authentication: {
      input: { socket_id: string; user_data_object: Record<string, unknown> };
      expected: { auth: string; user_data: string };
    };
  };
}

let cached: Vectors | undefined;

export function loadVectors(): Vectors {
  cached ??= JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as Vectors;
  return cached;
}
