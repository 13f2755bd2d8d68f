/**
 * The official SDK's test vectors, typed. They are read from test/fixtures/vectors.json, a copy of
 * the spec's shared/spec/vectors.json, so the suite runs on any clone of the repository.
 */
import { readFileSync } from 'node:fs';

export const VECTORS_URL = new URL('../fixtures/vectors.json', import.meta.url);

interface ChannelAuthExpected {
  string_to_sign: string;
  signature: string;
  auth: string;
  response_body: string;
  subscribe_frame: string;
}

interface ChannelAuthVector<I, E = object> {
  note?: string;
  input: { socket_id: string; channel_name: string } & I;
  expected: ChannelAuthExpected & E;
}

export interface SignedRequestVector {
  note: string;
  input: {
    method: 'GET' | 'POST';
    path: string;
    body: string | null;
    content_type: string | null;
    extra_query_params: Record<string, string>;
    auth_timestamp: number;
  };
  expected: {
    body_md5: string | null;
    string_to_sign: string;
    auth_signature: string;
    query_string: string;
    url_path_and_query: string;
  };
  encryption?: {
    channel: string;
    plaintext: string;
    nonce_base64: string;
    shared_secret_base64: string;
    data_field: string;
  };
}

export interface Vectors {
  app: { app_id: string; key: string; secret: string; encryption_master_key_base64: string };
  private_channel_auth: ChannelAuthVector<object>[];
  presence_channel_auth: ChannelAuthVector<
    { channel_data_object: Record<string, unknown> },
    { channel_data: string; string_to_sign_utf8_hex: string }
  >[];
  encrypted_channel_auth: ChannelAuthVector<
    object,
    { shared_secret: string; shared_secret_hex: string }
  >[];
  user_authentication: Array<{
    input: { socket_id: string; user_data_object: Record<string, unknown> };
    expected: {
      user_data: string;
      string_to_sign: string;
      signature: string;
      auth: string;
      response_body: string;
      signin_frame: string;
    };
  }>;
  signed_http_requests: SignedRequestVector[];
  webhooks: Array<{
    note: string;
    input: { raw_body: string };
    expected: {
      headers: Record<string, string>;
      sdk_isValid: boolean;
      sdk_isValid_if_content_type_has_charset: boolean;
      sdk_isValid_if_key_header_differs: boolean;
    };
  }>;
  sdk_input_validation: Array<{
    what: string;
    value: unknown;
    length?: number;
    sdk_accepts: boolean;
  }>;
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
    http_api: {
      input: { method: 'POST'; path: string; body: string; auth_timestamp: number };
      expected: { query_string: string };
    };
  };
}

export type PrivateVector = Vectors['private_channel_auth'][number];
export type PresenceVector = Vectors['presence_channel_auth'][number];
export type EncryptedVector = Vectors['encrypted_channel_auth'][number];
export type UserVector = Vectors['user_authentication'][number];
export type InputValidationVector = Vectors['sdk_input_validation'][number];

let cached: Vectors | undefined;

export function loadVectors(): Vectors {
  cached ??= JSON.parse(readFileSync(VECTORS_URL, 'utf8')) as Vectors;
  return cached;
}
