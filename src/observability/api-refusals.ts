/**
 * HTTP API answers that say no, as the operator sees them: each counts as an error in the
 * traffic summary, and a 4xx (the caller's mistake: a wrong secret, a clock off by minutes, a
 * bad channel name) is a debug line with its reason, within the log budget. The path is logged
 * without its query, which holds the request's signature.
 */
import type { HttpRequestHead, HttpResponse } from '../http/types.ts';
import type { BudgetedLog } from './log-budget.ts';
import { withoutSignatures } from './log-safe.ts';
import type { TrafficCounts } from './traffic-summary.ts';

function reasonOf(response: HttpResponse): string {
  try {
    const parsed = JSON.parse(response.body) as { error?: unknown };
    return typeof parsed.error === 'string' ? withoutSignatures(parsed.error).slice(0, 300) : '';
  } catch {
    return '';
  }
}

export function apiRefusals(log: BudgetedLog, counts: TrafficCounts) {
  return (request: HttpRequestHead, response: HttpResponse): HttpResponse => {
    if (response.status < 400) return response;
    counts.errors++;
    if (response.status < 500) {
      const { status } = response;
      const reason = reasonOf(response);
      const fields = { method: request.method, path: request.path.slice(0, 200), status, reason };
      log.clientMistake(fields, `API request refused (${status}): ${reason}`);
    }
    return response;
  };
}
