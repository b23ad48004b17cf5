import userEvent from '@testing-library/user-event';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import {
  MockPermissionApi,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ResponseError } from '@backstage/errors';
import { Route, Routes } from 'react-router-dom';
import {
  defaultPostmortemTemplate,
  type Postmortem,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef, type LearningApi } from '../../api';
import { rootRouteRef } from '../../routes';
import { AUTOSAVE_DELAY_MS } from './usePostmortemAutosave';
import { PostmortemEditorPage } from './PostmortemEditorPage';

const postmortem: Postmortem = {
  id: 'p1',
  version: 4,
  createdAt: '2026-11-01T00:00:00.000Z',
  createdBy: 'user:default/a',
  updatedAt: '2026-11-01T00:00:00.000Z',
  title: 'Learning review: Vendor outage',
  incidentIds: ['i1'],
  entityRefs: ['component:default/subtitle-service'],
  status: 'draft',
  templateId: 'default',
  timeline: [],
  contributingFactors: [],
  decisions: [],
  participants: [],
  feedback: { count: 0, entries: [] },
};

/** Every section the default template requires, filled in. */
const complete: Postmortem = {
  ...postmortem,
  summary: 'Vendor calls timed out.',
  impact: 'Subtitles were late for an hour.',
  contributingFactors: [{ category: 'capacity', text: 'No fallback.' }],
  lessons: 'Fall back.',
  noActionReason: 'Covered by an earlier review',
};

function setup(updatePostmortem: jest.Mock, record: Postmortem = postmortem) {
  const api = {
    getPostmortem: jest.fn().mockResolvedValue(record),
    getSettings: jest.fn().mockResolvedValue({
      templates: [defaultPostmortemTemplate],
      contributingFactorCategories: ['capacity'],
    }),
    updatePostmortem,
    listActions: jest
      .fn()
      .mockResolvedValue({ items: [], totalCount: 0, page: 1, limit: 100 }),
    listRevisions: jest.fn().mockResolvedValue({
      items: [
        {
          version: 4,
          author: 'user:default/a',
          at: '2026-11-01T00:00:00.000Z',
        },
      ],
    }),
    getRevision: jest.fn(),
  } as unknown as LearningApi;
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [learningApiRef, api],
        [permissionApiRef, new MockPermissionApi()],
        [catalogApiRef, catalogApiMock()],
      ]}
    >
      <Routes>
        <Route
          path="/postmortems/:postmortemId/edit"
          element={<PostmortemEditorPage />}
        />
      </Routes>
    </TestApiProvider>,
    {
      routeEntries: ['/postmortems/p1/edit'],
      mountedRoutes: { '/learning': rootRouteRef },
    },
  );
}

// the editor's conflict flow renders several dialogs: on a busy two-core CI machine it can take over 5 s
jest.setTimeout(30_000);

describe('PostmortemEditorPage', () => {
  afterEach(() => jest.useRealTimers());

  it("knows the review's participants as people, and not a name nobody told it about", async () => {
    const record = {
      ...postmortem,
      participants: [
        { entityRef: 'user:default/kofi.mensah', role: 'facilitator' },
      ],
    } as Postmortem;
    await setup(
      jest.fn(async (_id: string, patch: any) => ({
        ...record,
        ...patch,
        version: 5,
      })),
      record,
    );
    const summary = await screen.findByRole('textbox', { name: 'Summary' });
    fireEvent.change(summary, {
      target: { value: 'Kofi skipped the canary stage.' },
    });
    expect(await screen.findByTestId('blame-finding')).toHaveTextContent(
      '“Kofi skipped the”',
    );
    fireEvent.change(summary, {
      target: { value: 'Tiwa skipped the canary stage.' },
    });
    // a name nobody told the check about is not taken for a person
    await waitFor(() =>
      expect(screen.queryByTestId('blame-finding')).not.toBeInTheDocument(),
    );
  });

  it('shows blame findings as you type and saves the draft once typing pauses, at the version it saw', async () => {
    const updatePostmortem = jest.fn(async (_id: string, patch: any) => ({
      ...postmortem,
      ...patch,
      version: 5,
    }));
    await setup(updatePostmortem);
    const summary = await screen.findByRole('textbox', { name: 'Summary' });
    jest.useFakeTimers();
    fireEvent.change(summary, { target: { value: 'It was human error.' } });
    expect(screen.getByTestId('blame-finding')).toHaveTextContent(
      '“human error”',
    );
    expect(updatePostmortem).not.toHaveBeenCalled();
    await act(async () => {
      jest.advanceTimersByTime(AUTOSAVE_DELAY_MS + 10);
    });
    jest.useRealTimers();
    await waitFor(() =>
      expect(updatePostmortem).toHaveBeenCalledWith('p1', {
        summary: 'It was human error.',
        version: 4,
      }),
    );
    expect(await screen.findByText('All changes saved')).toBeInTheDocument();
    fireEvent.change(summary, {
      target: { value: 'The deploy tool had no guardrail for this.' },
    });
    expect(screen.queryByTestId('blame-finding')).not.toBeInTheDocument();
  });

  it('adds a contributing factor with no category chosen for the author, and asks for one before saving it', async () => {
    const updatePostmortem = jest.fn(async (_id: string, patch: any) => ({
      ...postmortem,
      ...patch,
      version: 5,
    }));
    await setup(updatePostmortem);
    await userEvent.click(
      await screen.findByRole('button', { name: /Add contributing factor/ }),
    );
    const category = screen.getByRole('textbox', { name: 'Category 1' });
    expect(category).toHaveValue('');
    fireEvent.change(
      screen.getByRole('textbox', { name: 'How it contributed 1' }),
      { target: { value: 'The retry storm doubled the load' } },
    );
    expect(
      await screen.findByText(
        'Choose a category: the factor is saved once it has one',
      ),
    ).toBeInTheDocument();
  });

  it("says which rule refused a submit, in the server's words, not the HTTP status", async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message:
              'status: fill in the required sections first: Impact, Timeline',
          },
          response: { statusCode: 400 },
        }),
        {
          status: 400,
          statusText: 'Bad Request',
          headers: { 'Content-Type': 'application/json' },
        },
      ),
    );
    const updatePostmortem = jest.fn().mockRejectedValue(refusal);
    // complete as far as this screen knows, but the server's template differs
    await setup(updatePostmortem, complete);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Submit for review' }),
    );
    const alert = await screen.findByTestId('save-error');
    expect(alert).toHaveTextContent(
      'Status: fill in the required sections first: Impact, Timeline',
    );
    expect(alert).not.toHaveTextContent(/Request failed/);
  });

  it('names each missing required section next to it when a submit is refused, and clears it once filled', async () => {
    const withoutImpact = { ...complete, impact: undefined };
    const updatePostmortem = jest.fn(async (_id: string, patch: any) => ({
      ...withoutImpact,
      ...patch,
      version: patch.version + 1,
    }));
    await setup(updatePostmortem, withoutImpact);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Submit for review' }),
    );
    expect(await screen.findByTestId('missing-sections')).toHaveTextContent(
      'To submit for review, fill in Impact',
    );
    const impact = screen.getByRole('textbox', { name: 'Impact' });
    expect(impact).toHaveAttribute('aria-invalid', 'true');
    expect(
      screen.getByText('Impact is required to submit for review'),
    ).toBeInTheDocument();
    // nothing was sent: the screen knew the rule
    expect(updatePostmortem).not.toHaveBeenCalledWith(
      'p1',
      expect.objectContaining({ status: 'in-review' }),
    );
    fireEvent.change(impact, { target: { value: '40 customers' } });
    await waitFor(() =>
      expect(screen.queryByTestId('missing-sections')).not.toBeInTheDocument(),
    );
    expect(impact).toHaveAttribute('aria-invalid', 'false');
  });

  it('never overwrites a newer version: it offers to load theirs or apply the edit on top', async () => {
    const theirs = { ...postmortem, version: 6, summary: 'Their summary' };
    const body = {
      error: { name: 'ConflictError', message: 'stale' },
      response: { statusCode: 409 },
      current: theirs,
    };
    const updatePostmortem = jest
      .fn()
      .mockRejectedValueOnce(
        await ResponseError.fromResponse(
          new Response(JSON.stringify(body), {
            status: 409,
            headers: { 'Content-Type': 'application/json' },
          }),
        ),
      )
      .mockImplementationOnce(async (_id: string, patch: any) => ({
        ...theirs,
        ...patch,
        version: 7,
      }));
    await setup(updatePostmortem);
    fireEvent.change(await screen.findByRole('textbox', { name: 'Lessons' }), {
      target: { value: 'My lesson' },
    });
    expect(
      await screen.findByText(
        /Someone else saved version 6/,
        {},
        { timeout: AUTOSAVE_DELAY_MS + 2000 },
      ),
    ).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'Apply my edits on top' }),
    );
    await waitFor(() =>
      expect(updatePostmortem).toHaveBeenLastCalledWith('p1', {
        lessons: 'My lesson',
        version: 6,
      }),
    );
  });
});
