/**
 * The one rule for suites that need a real service (Redis, PostgreSQL): without CI they skip,
 * saying why, when the service does not answer; under CI (CI set) they always run, so a missing
 * service fails loudly.
 */
export async function serviceGate(
  suite: string,
  service: { name: string; url: string; answers: () => Promise<boolean> },
): Promise<boolean> {
  if (process.env.CI) return true;
  if (await service.answers()) return true;
  console.warn(`[skip] ${suite}: no ${service.name} answers at ${service.url} and CI is unset.`);
  return false;
}
