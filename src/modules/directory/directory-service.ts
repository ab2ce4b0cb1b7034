import type { Db } from '../../db/database.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { createApiClientService } from './api-client-service.ts';
import { createCategoryService } from './category-service.ts';
import { createDepartmentService } from './department-service.ts';
import { createUserService } from './user-service.ts';
import { createWardService } from './ward-service.ts';

export type DirectoryService = ReturnType<typeof createDirectoryService>;

/**
 * The directory (design.md §6): wards, departments, categories, users and API clients, each created,
 * read, changed (If-Match), deactivated and reactivated — never deleted, since cases refer to them.
 * `onChange` tells intake's reference cache of this process that wards, departments or categories changed.
 */
export function createDirectoryService(deps: {
  db: Db;
  sessions: Pick<SessionStore, 'endAllFor'>;
  auth: Pick<AuthService, 'authenticate' | 'forgetApiKeys'>;
  onChange: () => void;
}) {
  return {
    ...createWardService(deps),
    ...createDepartmentService(deps),
    ...createCategoryService(deps),
    ...createUserService(deps),
    ...createApiClientService(deps),
  };
}
