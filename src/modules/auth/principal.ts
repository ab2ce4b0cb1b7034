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

/** Every role is a staff role: routes any signed-in staff member may call take this list. */
export const staffRoles: readonly Role[] = roles;

export const departmentRoles: readonly Role[] = ['department_head', 'department_officer'];

export const isDepartmentRole = (role: Role) => departmentRoles.includes(role);

/** Who may call a route: the roles of staff users and/or channel API clients. */
export type Access = { roles?: readonly Role[]; apiClient?: boolean };

export function allows(access: Access, principal: Principal): boolean {
  if (principal.kind === 'api_client') return access.apiClient === true;
  return access.roles?.includes(principal.role) ?? false;
}
