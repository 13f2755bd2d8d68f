/**
 * The contract of an auth endpoint (docs/protocol.md §5.4–§6, §8.1, §13), as checks over one
 * response: status, content type, body, `auth`, signature, presence data, shared secret, user
 * data, JSONP. Pure: a response in, one result per check out, each failure with its most likely
 * cause. The HTTP calls live in probe.ts.
 */
import { channelKind } from '../../protocol/channel-kind.ts';
import { diagnoseSignature, presenceMistakes, privateMistakes, userMistakes } from './diagnose.ts';
import {
  checkAuthField,
  checkChannelData,
  checkSharedSecret,
  checkUserData,
} from './field-checks.ts';
import { checkContentType, checkStatus, parseBody } from './http-checks.ts';
import { fail, pass, type CheckContext, type CheckResult, type Received } from './result.ts';

export { checkCallbackEscaping } from './http-checks.ts';
export type { CheckContext, CheckResult, Received } from './result.ts';

/** Every check of one channel's answer, stopping where later checks would mean nothing. */
export function checkChannelAnswer(
  context: CheckContext,
  channel: string,
  expect: 'allow' | 'deny',
  received: Received,
): CheckResult[] {
  const kind = channelKind(channel);
  let status = checkStatus(received, expect);
  if (!status.ok && kind.isEncrypted && received.status === 500) {
    status = {
      ...status,
      cause:
        'the endpoint failed on an encrypted channel: the SDK needs encryptionMasterKeyBase64 to answer private-encrypted- channels',
    };
  }
  if (expect === 'deny' || !status.ok) return [status];
  const results = [status, checkContentType(received, context.callback !== undefined)];
  const body = parseBody(received, context.callback);
  results.push(body.check);
  if (!body.ok) return results;
  const auth = checkAuthField(body.value, context.key);
  results.push(auth.check);
  if (!auth.ok) return results;
  const { socketId } = context;
  let expected = `${socketId}:${channel}`;
  let expectedForm = 'socket_id:channel';
  let wrongStrings = privateMistakes(
    socketId,
    channel,
    typeof body.value.channel_data === 'string' ? body.value.channel_data : undefined,
  );
  if (kind.isPresence) {
    const data = checkChannelData(body.value);
    results.push(data.check);
    if (!data.ok) return results;
    expected = `${socketId}:${channel}:${data.channelData}`;
    expectedForm = 'socket_id:channel:channel_data';
    wrongStrings = presenceMistakes(socketId, channel, data.channelData);
  }
  results.push(signatureCheck(context, auth.signature, expected, expectedForm, wrongStrings));
  if (kind.isEncrypted) results.push(checkSharedSecret(body.value));
  return results;
}

/** Every check of a user-authentication answer (docs/protocol.md §8.1). */
export function checkUserAnswer(context: CheckContext, received: Received): CheckResult[] {
  const status = checkStatus(received, 'allow');
  if (!status.ok) return [status];
  const results = [status, checkContentType(received, context.callback !== undefined)];
  const body = parseBody(received, context.callback);
  results.push(body.check);
  if (!body.ok) return results;
  const auth = checkAuthField(body.value, context.key);
  results.push(auth.check);
  if (!auth.ok) return results;
  const userData = checkUserData(body.value);
  results.push(userData.check);
  if (!userData.ok) return results;
  const expected = `${context.socketId}::user::${userData.userData}`;
  results.push(
    signatureCheck(
      context,
      auth.signature,
      expected,
      'socket_id::user::user_data',
      userMistakes(context.socketId, userData.userData),
    ),
  );
  return results;
}

function signatureCheck(
  context: CheckContext,
  signature: string,
  expected: string,
  expectedForm: string,
  wrongStrings: ReturnType<typeof privateMistakes>,
): CheckResult {
  const verdict = diagnoseSignature({
    key: context.key,
    secret: context.secret,
    signature,
    expected,
    expectedForm,
    wrongStrings,
  });
  return verdict.ok
    ? pass('signature', `verifies over ${expectedForm}`)
    : fail('signature', verdict.message, verdict.cause);
}
