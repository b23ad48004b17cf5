import type { Router } from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  idParamSchema,
  type HistoryEntry,
  type Page,
} from '@learning-loop/plugin-learning-common';
import type { z } from 'zod';
import {
  actorOf,
  audited,
  authorizeEntities,
  credentialsOf,
  type RouteContext,
} from './context';
import { parseInput } from '../lib/parseInput';
import {
  assertReadable,
  withoutHiddenRefs,
  type ReadScope,
} from '../domain/readScope';

/** How one kind of record is listed, read, created, updated and authorised. */
export interface RecordRoutesSpec<
  TRecord extends { id: string },
  TCreate,
  TUpdate,
  TQuery,
> {
  path: string;
  recordType: HistoryEntry['recordType'];
  schemas: {
    create: z.ZodType<TCreate, any>;
    update: z.ZodType<TUpdate, any>;
    list: z.ZodType<TQuery, any>;
  };
  permissions: {
    create: ResourcePermission<'catalog-entity'>;
    update: ResourcePermission<'catalog-entity'>;
    delete: ResourcePermission<'catalog-entity'>;
  };
  /**
   * A page of records, or its JSON when it is already serialised (a cached answer). `readable` is the entity filter
   * of the caller's read scope (undefined: every entity); items come back as the caller may see them.
   */
  list(
    query: TQuery,
    credentials: BackstageCredentials,
    scope: ReadScope,
  ): Promise<Page<TRecord> | string>;
  /** The entities a record belongs to: the caller sees it when it may read at least one. */
  refsOf(record: TRecord): string[];
  /** The record as a caller with this read scope sees it (refs it may not read left out). */
  visible?(record: TRecord, scope: ReadScope): Promise<TRecord>;
  delete(id: string, actor: string): Promise<void>;
  get(id: string): Promise<TRecord>;
  create(
    input: TCreate,
    actor: string,
    credentials: BackstageCredentials,
  ): Promise<TRecord>;
  update(id: string, input: TUpdate, actor: string): Promise<TRecord>;
  delete(id: string, actor: string): Promise<void>;
  /** Entities a create is checked against: all of them must allow it, or one with `createNeeds: 'any'`. */
  entitiesOfCreate(input: TCreate): Promise<string[]> | string[];
  createNeeds?: 'every' | 'any';
  /** Entities of an existing record: the caller must be allowed on at least one to update it. */
  entitiesOfRecord(id: string): Promise<string[]>;
  /**
   * Replaces the update check: `ownerCheck` is the default (the update permission on any of the record's
   * entities, and on every entity the update adds); an override may allow others, or demand more.
   */
  authorizeUpdate?(
    id: string,
    input: TUpdate,
    credentials: BackstageCredentials,
    ownerCheck: () => Promise<void>,
  ): Promise<void>;
  /** Entities an update adds: each must allow it. */
  entitiesAddedBy?(input: TUpdate, current: string[]): string[];
}

/** Adds GET list, GET one, POST, PATCH and GET history for one kind of record. */
export function addRecordRoutes<
  TRecord extends { id: string },
  TCreate,
  TUpdate,
  TQuery,
>(
  router: Router,
  ctx: RouteContext,
  spec: RecordRoutesSpec<TRecord, TCreate, TUpdate, TQuery>,
): void {
  const base = `/${spec.path}`;
  const what = spec.recordType === 'action' ? 'action item' : spec.recordType;
  /** The record if the caller may read one of its entities, as it may see it; else the 404 of a missing record. */
  const readable = async (id: string, scope: ReadScope) => {
    const record = await spec.get(id);
    assertReadable(scope, spec.refsOf(record), what, id);
    return spec.visible
      ? spec.visible(record, scope)
      : withoutHiddenRefs(scope, record);
  };

  router.get(base, async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const query = parseInput(spec.schemas.list, req.query, 'query');
    const page = await spec.list(
      query,
      credentials,
      await ctx.readScopes.of(credentials),
    );
    if (typeof page === 'string') res.type('application/json').send(page);
    else res.json(page);
  });

  router.get(`${base}/:id`, async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    res.json(await readable(id, await ctx.readScopes.of(credentials)));
  });

  router.get(`${base}/:id/history`, async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    await readable(id, await ctx.readScopes.of(credentials));
    res.json({ items: await ctx.store.history(spec.recordType, id) });
  });

  router.post(base, async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const input = parseInput(spec.schemas.create, req.body, 'body');
    const created = await audited(
      ctx,
      req,
      `${spec.recordType}-create`,
      { actionType: 'create' },
      async () => {
        const refs = await spec.entitiesOfCreate(input);
        await authorizeEntities(ctx, credentials, spec.permissions.create, {
          [spec.createNeeds ?? 'every']: refs,
        });
        return spec.create(input, actorOf(credentials), credentials);
      },
    );
    res.status(201).json(created);
  });

  router.patch(`${base}/:id`, async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    const ifMatch = req.header('if-match');
    const body =
      ifMatch && req.body?.version === undefined
        ? { ...req.body, version: Number(ifMatch.replace(/\D/g, '')) }
        : req.body;
    const input = parseInput(spec.schemas.update, body, 'body');
    const updated = await audited(
      ctx,
      req,
      `${spec.recordType}-update`,
      { actionType: 'update', id },
      async () => {
        const ownerCheck = async () => {
          const current = await spec.entitiesOfRecord(id);
          await authorizeEntities(ctx, credentials, spec.permissions.update, {
            any: current,
            every: spec.entitiesAddedBy?.(input, current) ?? [],
          });
        };
        await (spec.authorizeUpdate
          ? spec.authorizeUpdate(id, input, credentials, ownerCheck)
          : ownerCheck());
        return spec.update(id, input, actorOf(credentials));
      },
    );
    res.json(updated);
  });

  router.delete(`${base}/:id`, async (req, res) => {
    const credentials = await credentialsOf(ctx, req);
    const { id } = parseInput(idParamSchema, req.params, 'path');
    await audited(
      ctx,
      req,
      `${spec.recordType}-delete`,
      { actionType: 'delete', id },
      async () => {
        await authorizeEntities(ctx, credentials, spec.permissions.delete, {
          any: await spec.entitiesOfRecord(id),
        });
        await spec.delete(id, actorOf(credentials));
      },
    );
    res.status(204).end();
  });
}
