import type { Principal } from '../auth/principal.ts';
import type { NewEvent } from './case-repository.ts';

/** Who an event is by: a staff user or a channel's API client. */
export const eventActorOf = (
  p: Principal,
): Pick<NewEvent, 'actor_type' | 'actor_user_id' | 'actor_api_client_id'> =>
  p.kind === 'user'
    ? { actor_type: 'user', actor_user_id: p.userId, actor_api_client_id: null }
    : { actor_type: 'api_client', actor_user_id: null, actor_api_client_id: p.clientId };
