import type { UserInfoService } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { LearningSettings } from '@learning-loop/plugin-learning-common';
import type { LearningStore } from '../database/LearningStore';

/** What the domain rules work with: the store, the catalog and the settings; never an HTTP request. */
export interface LearningDeps {
  store: LearningStore;
  catalog: CatalogService;
  userInfo: UserInfoService;
  settings: LearningSettings;
}
