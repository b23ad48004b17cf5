import { InputError } from '@backstage/errors';
import type { z } from 'zod';

/** Parses request input with a zod schema; failures become a 400 naming each field. */
export function parseInput<S extends z.ZodTypeAny>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues
      .map(issue => {
        const path = issue.path.join('.');
        const message =
          issue.code === 'unrecognized_keys'
            ? `unknown field(s) ${issue.keys.join(', ')}`
            : issue.message;
        return path ? `${path}: ${message}` : message;
      })
      .join('; ');
    throw new InputError(`Invalid ${where}: ${problems}`);
  }
  return result.data;
}
