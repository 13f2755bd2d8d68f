/** What becomes of a value checked against the config schema: its problems as lines, or frozen. */
import type { z } from 'zod';

/** One line per problem, naming the field (`apps.0.secret: …`), as users see them. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    return `${field}: ${issue.message}`;
  });
}

/** Freezes an object and everything reachable from it: configuration is read-only once built. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
