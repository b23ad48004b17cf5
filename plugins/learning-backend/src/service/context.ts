import type { Request } from 'express';
import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { LearningSettings } from '@learning-loop/plugin-learning-common';
import type { z } from 'zod';
import type { DatabaseLearningStore } from '../database/DatabaseLearningStore';
import type { ReadScopes } from './readScope';

/** What every route needs. */
export interface RouteContext {
  store: DatabaseLearningStore;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  userInfo: UserInfoService;
  logger: LoggerService;
  settings: LearningSettings;
  /** What each caller may read (the catalog's `catalog.entity.read`); createRouter makes it when not given. */
  readScopes: ReadScopes;
}

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

/** Who made a request, as written into created_by and the history. */
export function actorOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.type === 'user'
    ? principal.userEntityRef!
    : `service:${principal.subject ?? 'unknown'}`;
}

/** The caller's credentials; a request without any is refused with 401. */
export function credentialsOf(
  ctx: RouteContext,
  req: Request,
): Promise<BackstageCredentials> {
  return ctx.httpAuth.credentials(req, { allow: ['user', 'service'] });
}

/**
 * Authorises a write against entities. `every` entities must allow it (creating on several entities), or at least
 * one of `any` (editing a record that spans several entities: an owner of any of them may edit).
 */
export async function authorizeEntities(
  ctx: RouteContext,
  credentials: BackstageCredentials,
  permission: ResourcePermission<'catalog-entity'>,
  refs: { every?: string[]; any?: string[] },
): Promise<void> {
  const every = [...new Set(refs.every ?? [])];
  const any = [...new Set(refs.any ?? [])];
  const all = [...every, ...any];
  if (all.length === 0) {
    return;
  }
  const decisions = await ctx.permissions.authorize(
    all.map(resourceRef => ({ permission, resourceRef })),
    { credentials },
  );
  const allowed = (ref: string) =>
    decisions[all.indexOf(ref)].result === AuthorizeResult.ALLOW;
  const deniedEvery = every.filter(ref => !allowed(ref));
  if (deniedEvery.length > 0) {
    throw new NotAllowedError(
      `You may not ${
        permission.attributes.action
      } Learning Loop records of ${deniedEvery.join(', ')}`,
    );
  }
  if (any.length > 0 && !any.some(allowed)) {
    throw new NotAllowedError(
      `You may not ${
        permission.attributes.action
      } Learning Loop records of ${any.join(', ')}`,
    );
  }
}

/** Runs a mutation inside an auditor event, marking it succeeded or failed. */
export async function audited<T>(
  ctx: RouteContext,
  req: Request,
  eventId: string,
  meta: JsonObject,
  mutation: () => Promise<T>,
): Promise<T> {
  const event = await ctx.auditor.createEvent({
    eventId,
    request: req,
    severityLevel: 'medium',
    meta,
  });
  try {
    const result = await mutation();
    await event.success({ meta: { ...meta, ...idOf(result) } });
    return result;
  } catch (error) {
    await event.fail({ meta, error: error as Error });
    throw error;
  }
}

function idOf(result: unknown): JsonObject {
  const record = result as { id?: string; version?: number } | undefined;
  return record?.id ? { id: record.id, version: record.version ?? null } : {};
}
