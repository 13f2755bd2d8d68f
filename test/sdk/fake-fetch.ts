/** A `fetch` stand-in that records each request and answers `{}` (or a chosen status/body). */
export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

export function recordingFetch(answer: { status?: number; body?: string } = {}) {
  const requests: RecordedRequest[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    requests.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body === undefined ? undefined : String(init.body),
    });
    return new Response(answer.body ?? '{}', {
      status: answer.status ?? 200,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

/** The path and query of a recorded URL, as the vectors give them. */
export const pathAndQuery = (url: string): string => {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
};
