/*
 * The Learning Loop demo backend: catalog, guest sign-in, permissions with the demo policy, search,
 * notifications, and the Learning Loop plugin with its demo data.
 */
import { createBackend } from '@backstage/backend-defaults';
import { reportEventLoopDelay } from './eventLoopReport';

reportEventLoopDelay();

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./modules/learningPermissionPolicy'));

backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@backstage/plugin-search-backend-module-pg'));
backend.add(import('@backstage/plugin-search-backend-module-catalog'));
backend.add(import('@learning-loop/plugin-search-backend-module-learning'));

backend.add(import('@backstage/plugin-user-settings-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@learning-loop/plugin-learning-backend'));
backend.add(import('@learning-loop/plugin-learning-backend-module-pagerduty'));
backend.add(import('@learning-loop/plugin-learning-backend-module-github'));
backend.add(import('@learning-loop/plugin-learning-backend-module-jira'));
backend.add(import('@learning-loop/plugin-learning-backend-module-linear'));
backend.add(import('./modules/learningDemoData/module'));

backend.start();
