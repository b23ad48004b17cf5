import { screen } from '@testing-library/react';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { catalogApiRef, EntityProvider } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import type { Entity } from '@backstage/catalog-model';
import { learningApiRef } from '../api';
import {
  localizationTeam,
  pendingApi,
  subtitleService,
} from '../__testUtils__/fixtures';
import plugin from './index';

// The new frontend system's extensions of the plugin: what an app gets by installing the package with
// `app.packages: all`. Each is looked up by the id an adopter would use in app-config to configure or disable it.

const service = subtitleService;
const team = localizationTeam;
const user: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'olive' },
  spec: {},
};

// lazy pages and userEvent take seconds on a busy CI machine; the pages load as lazy chunks compiled on first use: on a busy 2-CPU CI machine that alone took over 10 s
jest.setTimeout(90_000);

describe('the new frontend system plugin', () => {
  it('offers the page, the entity tabs, the summary card, the API and the search result', () => {
    for (const id of [
      'api:learning',
      'page:learning',
      'entity-content:learning',
      'entity-content:learning/team',
      'entity-card:learning/summary',
      'search-result-list-item:learning',
      'search-filter-result-type:learning',
    ]) {
      expect(plugin.getExtension(id as any)).toBeDefined();
    }
  });

  it('puts the Learning tab on services and the backlog tab on teams, neither on users', () => {
    const tab = createExtensionTester(
      plugin.getExtension('entity-content:learning'),
    );
    const isService = tab.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(tab.get(EntityContentBlueprint.dataRefs.title)).toBe('Learning');
    expect(tab.get(coreExtensionData.routePath)).toBe('learning');
    expect([isService(service), isService(team), isService(user)]).toEqual([
      true,
      false,
      false,
    ]);

    const backlog = createExtensionTester(
      plugin.getExtension('entity-content:learning/team'),
    ).get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect([backlog(service), backlog(team), backlog(user)]).toEqual([
      false,
      true,
      false,
    ]);

    const card = createExtensionTester(
      plugin.getExtension('entity-card:learning/summary'),
    ).get(EntityCardBlueprint.dataRefs.filterFunction)!;
    expect([card(service), card(team)]).toEqual([true, false]);
  });

  it('renders the Learning page at /learning', async () => {
    const page = createExtensionTester(plugin.getExtension('page:learning'));
    expect(page.get(coreExtensionData.routePath)).toBe('/learning');
    await renderInTestApp(page.reactElement(), {
      apis: [
        [learningApiRef, pendingApi()],
        [catalogApiRef, catalogApiMock({ entities: [service, team] })],
      ],
    });
    expect(
      await screen.findByText(
        'Incidents turned into lessons, and lessons into change',
        {},
        { timeout: 45_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('Learning reviews')).toBeInTheDocument();
    expect(screen.getByText('My actions')).toBeInTheDocument();
  });

  it("renders a team's backlog on its Learning tab, asking for the team's actions", async () => {
    const listActions = jest.fn(async () => ({
      items: [],
      totalCount: 0,
      page: 1,
      limit: 20,
    }));
    const tab = createExtensionTester(
      plugin.getExtension('entity-content:learning/team'),
    );
    await renderInTestApp(
      <EntityProvider entity={team}>{tab.reactElement()}</EntityProvider>,
      {
        apis: [
          [learningApiRef, pendingApi({ listActions })],
          [catalogApiRef, catalogApiMock({ entities: [service, team] })],
        ],
      },
    );
    expect(
      await screen.findByText(
        'Backlog of Localization',
        {},
        { timeout: 45_000 },
      ),
    ).toBeInTheDocument();
    expect(listActions).toHaveBeenCalledWith(
      expect.objectContaining({ team: 'group:default/localization-team' }),
    );
  });
});
