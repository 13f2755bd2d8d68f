/**
 * What both auth endpoints check before any decision: the method, the transport, the JSONP
 * callback and the socket id. Returns either the response that ends the request or the fields.
 */
import { isValidSocketId } from '../validate.ts';
import { isSafeCallback, jsonpBody } from './jsonp.ts';
import { readAuthFields, type AuthFields } from './request-fields.ts';
import { errorResponse, jsonResponse, scriptResponse } from './responses.ts';
import type {
  AuthEndpointOptions,
  AuthHttpRequest,
  AuthHttpResponse,
  AuthTransport,
} from './types.ts';

export interface Accepted {
  readonly fields: AuthFields;
  readonly socketId: string;
  readonly transport: AuthTransport;
  /** Set for JSONP: the checked callback name. */
  readonly callback: string | undefined;
}

export function prelude<R>(
  input: AuthHttpRequest<R>,
  options: AuthEndpointOptions<R>,
): { response: AuthHttpResponse } | { accepted: Accepted } {
  const method = input.method.toUpperCase();
  const allow = options.jsonp ? 'GET, POST' : 'POST';
  if (method !== 'POST' && !(method === 'GET' && options.jsonp)) {
    return { response: errorResponse(405, `Method not allowed: use ${allow}`, { allow }) };
  }
  const fields = readAuthFields({ ...input, method });
  if (fields === undefined) return { response: errorResponse(400, 'Body must be a JSON object') };
  let callback: string | undefined;
  if (method === 'GET') {
    if (fields.callback === undefined) {
      return { response: errorResponse(400, 'Missing callback parameter (jsonp transport)') };
    }
    if (!isSafeCallback(fields.callback, options.jsonpCallbacks)) {
      return { response: errorResponse(400, 'Invalid callback parameter') };
    }
    callback = fields.callback;
  }
  if (fields.socketId === undefined || fields.socketId === '') {
    return { response: errorResponse(400, 'Missing socket_id parameter') };
  }
  if (!isValidSocketId(fields.socketId)) {
    return { response: errorResponse(400, 'Invalid socket_id: expected digits.digits') };
  }
  return {
    accepted: {
      fields,
      socketId: fields.socketId,
      transport: method === 'GET' ? 'jsonp' : 'ajax',
      callback,
    },
  };
}

/** 200 with the auth body: JSON for `ajax`, a callback call for `jsonp`. */
export const authSuccess = (accepted: Accepted, body: unknown): AuthHttpResponse =>
  accepted.callback === undefined
    ? jsonResponse(200, body)
    : scriptResponse(jsonpBody(accepted.callback, body));

export const denied = (): AuthHttpResponse => errorResponse(403, 'Forbidden');

export const failed = (): AuthHttpResponse =>
  errorResponse(500, 'Internal error while authorizing');

/** The documented default of `onError`. */
export const defaultOnError = (error: unknown): void => console.error('[pushwire/sdk]', error);
