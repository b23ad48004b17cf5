import { normalizeEntityRef } from './entityRefs';
import { z } from 'zod';
import { parseEntityRef } from '@backstage/catalog-model';
import { DateTime } from 'luxon';

// Field schemas the record and query schemas share; the package exports the public ones through schemas.ts.

/** Largest page a list returns; larger `limit` values are refused with 400. */
export const MAX_PAGE_LIMIT = 100;
/** Page size when none is asked for. */
export const DEFAULT_PAGE_LIMIT = 20;

export const trimmed = (max: number) => z.string().trim().min(1).max(max);

/** A full entity ref (kind:namespace/name), normalised to lower case with a namespace. */
export const entityRefSchema = z
  .string()
  .trim()
  .min(3)
  .max(255)
  .transform((value, ctx) => {
    try {
      const ref = parseEntityRef(value);
      return normalizeEntityRef(ref);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not an entity ref of the form kind:namespace/name`,
      });
      return z.NEVER;
    }
  });

/** An ISO-8601 timestamp with a time zone, returned normalised to UTC. */
export const timestampSchema = z
  .string()
  .trim()
  .max(40)
  .transform((value, ctx) => {
    const parsed = DateTime.fromISO(value, { setZone: true });
    if (!parsed.isValid || !/T|^\d{4}-\d{2}-\d{2}$/.test(value)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${value}" is not an ISO-8601 date-time`,
      });
      return z.NEVER;
    }
    return parsed.toUTC().toISO()!;
  });

/** A calendar date, YYYY-MM-DD. */
export const dateSchema = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date of the form YYYY-MM-DD')
  .refine(value => DateTime.fromISO(value).isValid, 'is not a real date');

export const urlSchema = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine(u => /^https?:\/\//i.test(u), 'must be an http(s) URL');
export const markdown = z.string().max(100_000);
export const labelSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(64)
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    'labels use lower-case letters, digits, ., _ and -',
  );
