import {
  createActionSchema,
  createIncidentSchema,
  updateActionSchema,
} from './schemas';
import {
  listActionsQuerySchema,
  listIncidentsQuerySchema,
} from './querySchemas';

describe('schemas', () => {
  it('normalises entity refs and timestamps', () => {
    const parsed = createIncidentSchema.parse({
      title: ' Checkout down ',
      severity: 'SEV1',
      entityRefs: ['component:default/Checkout', 'component:payments'],
      startedAt: '2026-03-01T10:00:00+02:00',
    });
    expect(parsed.entityRefs).toEqual([
      'component:default/checkout',
      'component:default/payments',
    ]);
    expect(parsed.startedAt).toBe('2026-03-01T08:00:00.000Z');
    expect(parsed.title).toBe('Checkout down');
    expect(parsed.kind).toBe('incident');
  });

  it('names the field that is wrong', () => {
    const result = createIncidentSchema.safeParse({
      title: 'x',
      severity: 'SEV9',
      entityRefs: [],
      startedAt: 'yesterday',
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map(i => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['severity', 'entityRefs', 'startedAt']),
    );
  });

  it('refuses unknown fields', () => {
    expect(
      createIncidentSchema.safeParse({
        title: 'x',
        severity: 'SEV1',
        entityRefs: ['component:a'],
        startedAt: '2026-01-01T00:00:00Z',
        owner: 'me',
      }).success,
    ).toBe(false);
  });

  it('caps the page size and accepts comma-separated filters', () => {
    expect(
      listIncidentsQuerySchema.safeParse({ limit: '100000' }).success,
    ).toBe(false);
    const q = listIncidentsQuerySchema.parse({
      limit: '100',
      severity: 'SEV1,SEV2',
      kind: ['incident'],
    });
    expect(q).toMatchObject({
      limit: 100,
      page: 1,
      severity: ['SEV1', 'SEV2'],
      kind: ['incident'],
      orderBy: 'startedAt',
    });
    expect(listActionsQuerySchema.parse({ overdue: 'true' }).overdue).toBe(
      true,
    );
  });

  it('asks a reason for "won\'t do" and a version for every update', () => {
    expect(
      createActionSchema.safeParse({
        entityRef: 'component:a',
        title: 't',
        status: 'wont-do',
      }).success,
    ).toBe(false);
    expect(updateActionSchema.safeParse({ status: 'done' }).success).toBe(
      false,
    );
    expect(
      updateActionSchema.safeParse({
        version: 3,
        status: 'wont-do',
        statusReason: 'superseded',
      }).success,
    ).toBe(true);
  });
});
