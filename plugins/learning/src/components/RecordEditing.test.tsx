import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import { Route, Routes } from 'react-router-dom';
import type { Incident, Runbook } from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../api';
import { rootRouteRef } from '../routes';
import { IncidentDialog } from './incidents/IncidentDialog';
import { RunbookPage } from './runbooks/RunbookPage';
import { IncidentRunbooksCard } from './runbooks/IncidentRunbooksCard';

jest.setTimeout(30_000);

const incident: Incident = {
  id: 'i9',
  version: 1,
  createdAt: '2026-11-20T10:00:00.000Z',
  createdBy: 'user:default/guest',
  updatedAt: '2026-11-20T10:00:00.000Z',
  title: 'Translation queue backlog building up',
  kind: 'near-miss',
  severity: 'SEV4',
  entityRefs: ['component:default/translation-orchestrator'],
  startedAt: '2026-11-20T10:00:00.000Z',
  status: 'open',
  source: 'manual',
  failureModes: ['capacity'],
  postmortemOverdue: false,
  isRecurrence: false,
  occurrences: [],
};

const runbook: Runbook = {
  id: 'rb1',
  version: 3,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'user:default/guest',
  updatedAt: '2026-01-01T00:00:00.000Z',
  entityRef: 'component:default/translation-orchestrator',
  title: 'Drain the translation queue',
  body: '1. Pause intake\n2. **Scale** workers <script>window.__x=1</script>',
  reviewIntervalDays: 90,
  reviewOverdue: true,
  usedInIncidentIds: [],
  missingInIncidentIds: ['i9'],
};

function render(element: JSX.Element, api: Partial<LearningApi>, path = '/') {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api as LearningApi],
        [permissionApiRef, new MockPermissionApi()],
        [catalogApiRef, catalogApiMock()],
      ]}
    >
      {element}
    </TestApiProvider>,
    {
      routeEntries: [path],
      mountedRoutes: {
        '/learning': rootRouteRef,
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

async function conflict(current: unknown) {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: {
          name: 'ConflictError',
          message: 'changed since you loaded it',
        },
        response: { statusCode: 409 },
        current,
      }),
      {
        status: 409,
        statusText: 'Conflict',
        headers: { 'Content-Type': 'application/json' },
      },
    ),
  );
}

describe('recording and editing from Backstage', () => {
  it('records a near miss on the entity, then offers the earlier incidents it may repeat, and links the one confirmed', async () => {
    const createIncident = jest.fn(async (input: any) => ({
      ...incident,
      ...input,
      recurrenceSuggestions: [
        {
          incidentId: 'i3',
          title: 'Translation queue backlog over 6 hours',
          startedAt: '2026-07-10T00:00:00.000Z',
          score: 0.8,
          reasons: ['same failure mode capacity', 'similar title'],
        },
        {
          incidentId: 'i4',
          title: 'Translation backlog during promo',
          startedAt: '2026-09-10T00:00:00.000Z',
          score: 0.6,
          reasons: ['same failure mode capacity'],
        },
      ],
    }));
    const updateIncident = jest.fn(async (_id: string, patch: any) => ({
      ...incident,
      ...patch,
      version: 2,
    }));
    const onSaved = jest.fn();
    await render(
      <IncidentDialog
        open
        entityRef="component:default/translation-orchestrator"
        onClose={() => {}}
        onSaved={onSaved}
      />,
      {
        createIncident,
        updateIncident,
        getSettings: jest.fn().mockResolvedValue({
          templates: [],
          contributingFactorCategories: [],
          failureModes: ['capacity', 'dependency-timeout'],
        }),
      } as unknown as Partial<LearningApi>,
    );
    await userEvent.type(
      screen.getByLabelText(/Title/),
      'Translation queue backlog building up',
    );
    await userEvent.click(screen.getByLabelText('Kind'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Near miss' }),
    );
    await userEvent.click(screen.getByLabelText('Failure modes'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'capacity' }),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Record near miss' }),
    );
    await waitFor(() =>
      expect(createIncident).toHaveBeenCalledWith(
        expect.objectContaining({
          title: 'Translation queue backlog building up',
          kind: 'near-miss',
          entityRefs: ['component:default/translation-orchestrator'],
          failureModes: ['capacity'],
        }),
      ),
    );
    const seen = await screen.findByTestId('seen-before');
    expect(
      within(seen).getByText('same failure mode capacity; similar title'),
    ).toBeInTheDocument();
    // a rejected suggestion goes away; a confirmed one sets what it repeats
    await userEvent.click(
      screen.getByRole('button', {
        name: 'Translation backlog during promo is not related',
      }),
    );
    expect(
      within(seen).queryByText('Translation backlog during promo'),
    ).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', {
        name: /is a recurrence of Translation queue backlog over 6 hours/,
      }),
    );
    await waitFor(() =>
      expect(updateIncident).toHaveBeenCalledWith('i9', {
        version: 1,
        recurrenceOfId: 'i3',
      }),
    );
    expect(
      await screen.findByText('Recorded as a recurrence'),
    ).toBeInTheDocument();
    expect(onSaved).toHaveBeenLastCalledWith(
      expect.objectContaining({ recurrenceOfId: 'i3' }),
    );
  });

  it('shows earlier incidents like the one being typed, and what was learned from them, before it is recorded', async () => {
    const findRelatedLearnings = jest.fn(async () => ({
      incidentId: '',
      novelty: 'rare' as const,
      windowDays: 180,
      closeMatches: 1,
      matches: [
        {
          incidentId: 'i3',
          title: 'Translation queue backlog over 6 hours',
          severity: 'SEV2' as const,
          startedAt: '2026-07-10T00:00:00.000Z',
          entityRefs: ['component:default/translation-orchestrator'],
          relation: 'same-entity' as const,
          score: 0.7,
          reasons: ['similar title and summary (80%)'],
          postmortem: {
            id: 'p3',
            status: 'published' as const,
            lessons: 'Autoscale workers on queue depth\nand alert earlier',
            decisions: [],
          },
          actions: [
            {
              id: 'a3',
              title: 'Autoscale on queue depth',
              status: 'done' as const,
              effectiveness: 'ineffective' as const,
            },
          ],
          runbooks: { used: [], missing: [] },
        },
      ],
    }));
    await render(
      <IncidentDialog
        open
        entityRef="component:default/translation-orchestrator"
        onClose={() => {}}
        onSaved={() => {}}
      />,
      {
        findRelatedLearnings,
        getSettings: jest.fn().mockResolvedValue({
          templates: [],
          contributingFactorCategories: [],
          failureModes: ['capacity'],
        }),
      } as unknown as Partial<LearningApi>,
    );
    // too short to compare
    await userEvent.type(screen.getByLabelText(/Title/), 'Queue');
    await new Promise(resolve => setTimeout(resolve, 600));
    expect(findRelatedLearnings).not.toHaveBeenCalled();
    await userEvent.type(screen.getByLabelText(/Title/), ' backlog growing');
    const panel = await screen.findByTestId('like-this-before');
    expect(findRelatedLearnings).toHaveBeenLastCalledWith({
      entityRefs: ['component:default/translation-orchestrator'],
      title: 'Queue backlog growing',
      failureModes: [],
    });
    const link = within(panel).getByRole('link', {
      name: 'Translation queue backlog over 6 hours',
    });
    // opened beside the form, so that nothing typed is lost
    expect(link).toHaveAttribute('href', '/learning/incidents/i3');
    expect(link).toHaveAttribute('target', '_blank');
    expect(
      within(panel).getByText(
        /Lesson: Autoscale workers on queue depth · Done: Autoscale on queue depth \(did not hold\)/,
      ),
    ).toBeInTheDocument();
  });

  it('says which field the server refused, and keeps what was typed', async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message: 'Invalid body: resolvedAt: must not be before startedAt',
          },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    await render(
      <IncidentDialog
        open
        entityRef="component:default/translation-orchestrator"
        onClose={() => {}}
        onSaved={() => {}}
      />,
      {
        createIncident: jest.fn().mockRejectedValue(refusal),
        getSettings: jest.fn().mockResolvedValue({ failureModes: [] }),
      } as unknown as Partial<LearningApi>,
    );
    await userEvent.type(screen.getByLabelText(/Title/), 'Backlog');
    await userEvent.click(
      screen.getByRole('button', { name: 'Record incident' }),
    );
    expect(await screen.findByTestId('incident-error')).toHaveTextContent(
      'Resolved at: must not be before startedAt',
    );
    expect(screen.getByLabelText(/Title/)).toHaveValue('Backlog');
  });

  it('never overwrites an incident someone else saved meanwhile: mine is applied on top when asked', async () => {
    const theirs = { ...incident, version: 4, summary: 'Theirs' };
    const updateIncident = jest
      .fn()
      .mockRejectedValueOnce(await conflict(theirs))
      .mockImplementation(async (_id: string, patch: any) => ({
        ...theirs,
        ...patch,
        version: 5,
      }));
    const onSaved = jest.fn();
    await render(
      <IncidentDialog
        open
        entityRef="component:default/translation-orchestrator"
        incident={incident}
        onClose={() => {}}
        onSaved={onSaved}
      />,
      {
        updateIncident,
        getSettings: jest.fn().mockResolvedValue({ failureModes: [] }),
      } as unknown as Partial<LearningApi>,
    );
    fireEvent.change(screen.getByLabelText(/Title/), {
      target: { value: 'Backlog building up' },
    });
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(
      await screen.findByText(/Someone else saved this incident \(version 4\)/),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Apply mine on top' }),
    );
    await waitFor(() =>
      expect(updateIncident).toHaveBeenLastCalledWith(
        'i9',
        expect.objectContaining({ version: 4, title: 'Backlog building up' }),
      ),
    );
    expect(onSaved).toHaveBeenCalledWith(
      expect.objectContaining({ version: 5 }),
    );
  });

  it("a runbook's page shows its steps as Markdown without running markup, and marks it reviewed on the current version", async () => {
    const updateRunbook = jest
      .fn()
      .mockRejectedValueOnce(await conflict({ ...runbook, version: 4 }))
      .mockImplementation(async (_id: string, patch: any) => ({
        ...runbook,
        ...patch,
        version: 5,
        reviewOverdue: false,
      }));
    await render(
      <Routes>
        <Route path="/runbooks/:runbookId" element={<RunbookPage />} />
      </Routes>,
      {
        getRunbook: jest.fn().mockResolvedValue(runbook),
        getIncident: jest.fn().mockResolvedValue(incident),
        updateRunbook,
      } as unknown as Partial<LearningApi>,
      '/runbooks/rb1',
    );
    expect(
      await screen.findByRole('heading', {
        name: 'Drain the translation queue',
      }),
    ).toBeInTheDocument();
    expect(screen.getByText('Scale').tagName).toBe('STRONG');
    expect(document.querySelector('script')).toBeNull();
    expect(screen.getByText('Review overdue')).toBeInTheDocument();
    expect(
      await screen.findByRole('link', {
        name: 'Translation queue backlog building up',
      }),
    ).toHaveAttribute('href', '/learning/incidents/i9');
    await userEvent.click(
      screen.getByRole('button', { name: 'Mark reviewed' }),
    );
    await waitFor(() =>
      expect(updateRunbook).toHaveBeenLastCalledWith(
        'rb1',
        expect.objectContaining({
          version: 4,
          lastReviewedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        }),
      ),
    );
    await waitFor(() =>
      expect(screen.queryByText('Review overdue')).not.toBeInTheDocument(),
    );
  });

  it("records that a runbook was used in an incident, moving it off the incident's missing list", async () => {
    const updateRunbook = jest.fn(async (_id: string, patch: any) => ({
      ...runbook,
      ...patch,
      version: 4,
    }));
    await render(<IncidentRunbooksCard incident={incident} />, {
      listRunbooks: jest.fn().mockResolvedValue({
        items: [runbook],
        totalCount: 1,
        page: 1,
        limit: 50,
      }),
      updateRunbook,
    } as unknown as Partial<LearningApi>);
    const missing = await screen.findByRole('button', { name: 'Missing' });
    expect(missing).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(screen.getByRole('button', { name: 'Used' }));
    await waitFor(() =>
      expect(updateRunbook).toHaveBeenCalledWith('rb1', {
        version: 3,
        usedInIncidentIds: ['i9'],
        missingInIncidentIds: [],
      }),
    );
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Used' })).toHaveAttribute(
        'aria-pressed',
        'true',
      ),
    );
  });
});
