import { type Channel, type Role, roles } from '../../db/types.ts';

export type UserPrincipal = {
  kind: 'user';
  userId: string;
  username: string;
  role: Role;
  wardId: string | null;
  departmentId: string | null;
};

export type ClientPrincipal = {
  kind: 'api_client';
  clientId: string;
  name: string;
  channel: Channel;
};

export type Principal = UserPrincipal | ClientPrincipal;

/**
 * The ward's staff: routes any signed-in staff member may call take this list. A campaign unit's
 * submitter (`unit_submitter`, a residential group's leader or a school's contact) is no staff: they
 * sign in to send their unit's list and follow its progress, and reach only the routes that name them.
 */
export const staffRoles: readonly Role[] = roles.filter((r) => r !== 'unit_submitter');

/** Every signed-in user: their own account and inbox. */
export const signedInRoles: readonly Role[] = roles;

export const departmentRoles: readonly Role[] = ['department_head', 'department_officer'];

export const isDepartmentRole = (role: Role) => departmentRoles.includes(role);

/** Who may call a route: the roles of staff users and/or channel API clients. */
export type Access = { roles?: readonly Role[]; apiClient?: boolean };

export function allows(access: Access, principal: Principal): boolean {
  if (principal.kind === 'api_client') return access.apiClient === true;
  return access.roles?.includes(principal.role) ?? false;
}
