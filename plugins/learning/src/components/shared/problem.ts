import { ResponseError } from '@backstage/errors';
import { humanize } from './format';

/**
 * What went wrong, in the server's words rather than "Request failed with 400 Bad Request": the server names the
 * field and the rule ("status: fill in the required sections first: Impact"); this turns the field into its label
 * ("Status: fill in the required sections first: Impact") and drops the "Invalid body:" prefix.
 */
export function problemMessage(error: unknown): string {
  const server =
    error instanceof ResponseError
      ? (error.body as { error?: { message?: string } } | undefined)?.error
          ?.message
      : undefined;
  if (!server) return (error as Error)?.message ?? String(error);
  return server
    .replace(/^Invalid (body|query|path): /, '')
    .split('; ')
    .map(part => {
      const match = /^([A-Za-z0-9_.]+): (.*)$/s.exec(part);
      if (!match) return part;
      const field = match[1]
        .split('.')
        .filter(p => !/^\d+$/.test(p))
        .pop()!;
      return `${humanize(
        field.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(),
      )}: ${match[2]}`;
    })
    .join('; ');
}
