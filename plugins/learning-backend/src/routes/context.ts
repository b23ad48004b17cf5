import type { Request } from 'express';
import type {
  AuditorService,
  BackstageCredentials,
  AuthService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { JsonObject } from '@backstage/types';
import {
  AuthorizeResult,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { LearningDeps } from '../domain/deps';
import type { ResultCache } from '../lib/resultCache';
import type { ReadScopes } from '../domain/readScope';

/** What every route needs: the domain's dependencies and the HTTP services. */
export interface RouteContext extends LearningDeps {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  /** What each caller may read (the catalog's `catalog.entity.read`); createRouter makes it when not given. */
  readScopes: ReadScopes;
  /** Answers kept per caller, question and data revision; the plugin makes it and hands the store its write hook. */
  cache: ResultCache;
  /** The plugin's own credentials, for reads made on its behalf (the blameless check's people); optional in tests. */
  auth?: AuthService;
  /**
   * How far an entity's summary may trail the writes of others, in milliseconds (`learning.entitySummary.
   * maxLagSeconds`); 0 or absent: always the current data.
   */
  summaryMaxLagMs?: number;
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

/** Who asks, as the answer cache tells callers apart (their own writes are never answered from before them). */
export function callerOf(credentials: BackstageCredentials): {
  caller: string;
} {
  return { caller: JSON.stringify(credentials.principal) };
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
    await noteWriter(ctx, req);
    return result;
  } catch (error) {
    await event.fail({ meta, error: error as Error });
    throw error;
  }
}

/** The caller's next org-wide answers are read after this write (read-your-writes under `maxLagSeconds`). */
async function noteWriter(ctx: RouteContext, req: Request) {
  try {
    ctx.cache.wroteBy(callerOf(await credentialsOf(ctx, req)).caller);
  } catch {
    // a signed webhook has no caller of its own to read its writes
  }
}

function idOf(result: unknown): JsonObject {
  const record = result as { id?: string; version?: number } | undefined;
  return record?.id ? { id: record.id, version: record.version ?? null } : {};
}
