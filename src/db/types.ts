import type { ColumnType, Generated, Selectable } from 'kysely';

/** bigint ids travel as strings (pg returns int8 as text; the API's ids are strings). */
type Id = ColumnType<string, never, never>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

/** Every staff role (design.md §2), each declared once: schemas and gates take the list from here. */
export const roles = [
  'admin',
  'intake',
  'department_head',
  'department_officer',
  'chairman',
  'unit_submitter',
] as const;
export type Role = (typeof roles)[number];
export const channels = ['hotline_1022', 'smart_haiphong', 'walk_in', 'web', 'email'] as const;
export type Channel = (typeof channels)[number];
/** A case's statuses (design.md §3), in lifecycle order. */
export const caseStatuses = [
  'received',
  'assigned',
  'in_progress',
  'awaiting_info',
  'answered',
  'closed',
  'rejected',
] as const;
export type CaseStatus = (typeof caseStatuses)[number];
export type Urgency = 'normal' | 'urgent';
/** How a deadline counts time: the ward's working hours, or every hour (design.md §4). */
export const clocks = ['working', 'continuous'] as const;
export type Clock = (typeof clocks)[number];

/** A likely duplicate found at intake, as it was then. */
type PossibleDuplicate = { id: string; code: string; distanceMeters: number; similarity: number };

type Attachment = { url: string; mediaType?: string | undefined; name?: string | undefined };

interface AppSecretsTable {
  name: string;
  value: string;
  created_at: CreatedAt;
}

/** The columns of every directory object's lifecycle: deactivated, never deleted; versioned for If-Match. */
interface Lifecycle {
  version: ColumnType<number, number | undefined, number>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

interface WardsTable extends Lifecycle {
  id: Id;
  code: string;
  name: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  /** Whether its department officers' answers wait for the head's approval (answer proposals). */
  officer_answers_need_approval: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

interface DepartmentsTable extends Lifecycle {
  id: Id;
  ward_id: string;
  code: string;
  name: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface CategoriesTable extends Lifecycle {
  id: Id;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  code: string;
  name: string;
  default_department_code: string | null;
  sla_normal_duration: string;
  sla_normal_clock: Clock;
  sla_urgent_duration: string;
  sla_urgent_clock: Clock;
  description: string | null;
  keywords: ColumnType<string[], string[] | undefined, string[]>;
  group_name: string | null;
  publication: ColumnType<
    'public' | 'status_only',
    'public' | 'status_only' | undefined,
    'public' | 'status_only'
  >;
  created_at: CreatedAt;
}

export interface UsersTable extends Lifecycle {
  id: Id;
  username: string;
  password_hash: string;
  full_name: string;
  role: Role;
  ward_id: string | null;
  department_id: string | null;
  email: ColumnType<string | null, string | null | undefined, string | null>;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

interface ApiClientsTable extends Lifecycle {
  id: Id;
  name: string;
  channel: Channel;
  key_prefix: string;
  key_hash: string;
  /** The key before the last rotation, valid until previous_key_expires_at (the grace period). */
  previous_key_hash: string | null;
  previous_key_expires_at: NullableTimestamp;
  created_at: CreatedAt;
  /** Its deactivation: null while the client is active. */
  revoked_at: NullableTimestamp;
}

export type SessionEndReason =
  | 'logout'
  | 'password_changed'
  | 'password_reset'
  | 'deactivated'
  | 'reassigned';

interface SessionsTable {
  id: Id;
  /** SHA-256 of the session id the token carries; the id itself is stored nowhere. */
  sid_hash: string;
  user_id: string;
  address: string | null;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  ended_at: NullableTimestamp;
  end_reason: SessionEndReason | null;
}

/** An object's state in the audit trail: an allow-listed view, written once as JSON, never updated. */
type AuditState = ColumnType<Record<string, unknown> | null, string | null, never>;

/** One change of administration (modules/audit): append-only, a trigger refuses UPDATE and DELETE. */
interface AuditEntriesTable {
  id: Id;
  at: CreatedAt;
  /** The user who made the change; null for a system actor (the seed). */
  actor_id: string | null;
  /** Their username at the time. */
  actor_username: string;
  /** The request's address as the app sees it (`request.ip`). */
  address: string | null;
  action: string;
  object_type: string;
  object_id: string;
  /** The ward the object belongs to (the chairman's scope); null for city-wide objects. */
  ward_id: string | null;
  before: AuditState;
  after: AuditState;
}

interface WardCalendarsTable {
  ward_id: string;
  calendar: Json<unknown>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** A year's confirmed days off and make-up days: city-wide (`ward_id` null) or one ward's own. */
interface CalendarYearsTable {
  id: Id;
  ward_id: string | null;
  year: number;
  days_off: Json<{ date: string; name: string }[]>;
  working_days: Json<{ date: string; name: string }[]>;
  note: string | null;
  confirmed_by: string | null;
  confirmed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** One weekly warning that a year is still provisional: per ward, or (`ward_id` null) the admins'. */
interface CalendarWarningsTable {
  id: Id;
  ward_id: string | null;
  year: number;
  week: number;
  created_at: CreatedAt;
}

interface EscalationPoliciesTable {
  ward_id: string;
  policy: Json<unknown>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

interface CasesTable {
  id: Id;
  code: string;
  ward_id: string;
  channel: Channel;
  external_id: string | null;
  api_client_id: string | null;
  created_by_user_id: string | null;
  status: CaseStatus;
  urgency: Urgency;
  category_id: string | null;
  department_id: string | null;
  title: string | null;
  description: string;
  reporter_name: string | null;
  /** Null when the reporter left an e-mail address only (Open311); one of the two is always there. */
  reporter_phone: string | null;
  reporter_email: string | null;
  reporter_confidential: boolean;
  location_address: string | null;
  location_residential_group: string | null;
  location_lat: number | null;
  location_lng: number | null;
  attachments: Json<Attachment[]>;
  received_at: Timestamp;
  accept_due_at: NullableTimestamp;
  assigned_at: NullableTimestamp;
  due_at: NullableTimestamp;
  paused_at: NullableTimestamp;
  answered_at: NullableTimestamp;
  closed_at: NullableTimestamp;
  answer_text: string | null;
  /** The ward office's decision at closing whether the answer is public; null: not decided (the default applies). */
  answer_published: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  /** The public text of the answer when the ward office edited it; null: the answer as given. */
  public_answer: ColumnType<string | null, string | null | undefined, string | null>;
  /** The reporter's tracking link is an HMAC of this under a server key (null for cases from before). */
  tracking_nonce: ColumnType<string | null, never, never>;
  rating_score: number | null;
  rating_comment: string | null;
  reject_reason: string | null;
  duplicate_of: string | null;
  possible_duplicates: ColumnType<PossibleDuplicate[], string | undefined, string>;
  version: Generated<number>;
  sla_generation: Generated<number>;
  sla_remaining_seconds: number | null;
  answer_attachments: ColumnType<Attachment[], string | undefined, string>;
  search_text: ColumnType<string, never, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

interface CaseEventsTable {
  id: Id;
  case_id: string;
  type: string;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor_type: 'user' | 'api_client' | 'system';
  actor_user_id: string | null;
  actor_api_client_id: string | null;
  from_status: CaseStatus | null;
  to_status: CaseStatus | null;
  data: Json<Record<string, unknown>>;
}

interface CaseTimersTable {
  id: Id;
  case_id: string;
  step: string;
  generation: number;
  due_at: Timestamp;
  status: ColumnType<'pending' | 'fired' | 'cancelled', 'pending' | 'fired' | 'cancelled' | undefined>;
  enqueued_at: NullableTimestamp;
  fired_at: NullableTimestamp;
  created_at: CreatedAt;
}

interface EscalationsTable {
  id: Id;
  case_id: string;
  step: string;
  generation: number;
  due_at: Timestamp;
  fired_at: CreatedAt;
}

interface ExtensionRequestsTable {
  id: Id;
  case_id: string;
  extend_by: string;
  reason: string;
  status: ColumnType<'pending' | 'approved' | 'refused', 'pending' | undefined, 'approved' | 'refused'>;
  requested_by_user_id: string;
  decided_by_user_id: string | null;
  decision_note: string | null;
  created_at: CreatedAt;
  decided_at: NullableTimestamp;
}

export const answerProposalStatuses = ['proposed', 'approved', 'sent_back', 'superseded'] as const;
export type AnswerProposalStatus = (typeof answerProposalStatuses)[number];

interface AnswerProposalsTable {
  id: Id;
  case_id: string;
  ward_id: string;
  department_id: string;
  proposed_by_user_id: string;
  answer: string;
  attachments: Json<Attachment[]>;
  status: ColumnType<AnswerProposalStatus, 'proposed' | undefined, AnswerProposalStatus>;
  note: string | null;
  decided_by_user_id: string | null;
  decided_at: NullableTimestamp;
  created_at: CreatedAt;
}

/** A department's stock answer (modules/answer-templates); category_code null: for any category. */
interface AnswerTemplatesTable extends Lifecycle {
  id: Id;
  ward_id: string;
  department_id: string;
  category_code: string | null;
  title: string;
  body: string;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  updated_by_user_id: string | null;
  created_at: CreatedAt;
}

/** An uploaded attachment (files module): its bytes and what they were sniffed to be. */
interface FilesTable {
  id: Id;
  /** The uploader's ward; null for an admin, who belongs to none. */
  ward_id: string | null;
  uploaded_by_user_id: string;
  name: string;
  media_type: string;
  size: number;
  sha256: string;
  bytes: Buffer;
  created_at: CreatedAt;
}

/** Which cases refer to a file (an answer's or an answer proposal's attachments). */
interface CaseFilesTable {
  file_id: string;
  case_id: string;
  created_at: CreatedAt;
}

interface NotificationsTable {
  id: Id;
  user_id: string;
  case_id: string | null;
  escalation_id: string | null;
  digest_id: ColumnType<string | null, string | null | undefined, string | null>;
  type: string;
  step: string | null;
  title: string;
  body: string;
  created_at: CreatedAt;
  read_at: NullableTimestamp;
}

interface WebhooksTable {
  id: Id;
  url: string;
  events: string[];
  secret: string;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

/** The columns of an outbox row (shared/outbox/ledger.ts): its state and its tries. */
interface OutboxLedgerColumns {
  status: ColumnType<
    'pending' | 'delivered' | 'failed',
    'pending' | undefined,
    'pending' | 'delivered' | 'failed'
  >;
  attempts: ColumnType<number, number | undefined, number>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  last_attempt_at: NullableTimestamp;
  delivered_at: NullableTimestamp;
}

interface WebhookDeliveriesTable extends OutboxLedgerColumns {
  id: string;
  webhook_id: string;
  event: string;
  event_key: string;
  payload: Json<Record<string, unknown>>;
}

interface DigestsTable {
  id: Id;
  ward_id: string;
  scheduled_for: Date;
  content: Json<Record<string, unknown>>;
  created_at: CreatedAt;
}

interface EmailDeliveriesTable extends OutboxLedgerColumns {
  id: string;
  digest_id: string | null;
  user_id: string | null;
  to_address: string;
  message_id: string;
  subject: string;
  body_text: string;
  body_html: string;
}

export type CitizenMessageKind = 'received' | 'assigned' | 'answered' | 'closed' | 'rejected';

interface CitizenMessagesTable {
  id: string;
  case_id: string;
  kind: CitizenMessageKind;
  event_key: string;
  data: Json<Record<string, unknown>>;
  /** `held`: kept from being sent by the per-number limit (never sent). */
  status: ColumnType<
    'pending' | 'delivered' | 'failed' | 'held',
    'pending' | undefined,
    'pending' | 'delivered' | 'failed' | 'held'
  >;
  provider: string | null;
  body: string | null;
  encoding: 'gsm7' | 'ucs2' | null;
  segments: number | null;
  attempts: ColumnType<number, number | undefined, number>;
  last_status_code: number | null;
  last_error: string | null;
  created_at: CreatedAt;
  last_attempt_at: NullableTimestamp;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  delivered_at: NullableTimestamp;
}

/** Installation campaigns (modules/campaigns): a ward's residential groups and their counts. */
interface ResidentialGroupsTable {
  id: Id;
  ward_id: string;
  name: string;
  created_at: CreatedAt;
}

interface ResidentialGroupCountsTable {
  id: Id;
  group_id: string;
  households: number;
  smartphone_households: number;
  source: string | null;
  recorded_by_user_id: string | null;
  recorded_at: CreatedAt;
}

/** A campaign's targets: shares are 0–1. */
export type CampaignTargets = {
  householdCoverage: number;
  staffShare: number;
  householdsPerYouthMember: number;
};

/** When the coordinator has units chased: on these ISO weekdays (1 = Monday) at this Vietnam hour. */
export type CampaignChase = { weekdays: number[]; hour: number };

interface CampaignsTable {
  id: Id;
  ward_id: string;
  name: string;
  document_number: string | null;
  document_date: ColumnType<string | null, string | null | undefined, string | null>;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  coordinating_department_id: string;
  targets: Json<CampaignTargets>;
  chase: ColumnType<CampaignChase | null, string | null | undefined, string | null>;
  created_by_user_id: string | null;
  created_at: CreatedAt;
  rows_deleted_at: NullableTimestamp;
}

interface CampaignUnitsTable {
  id: Id;
  campaign_id: string;
  kind: UnitKindColumn;
  name: string;
  residential_group_id: string | null;
  headcount: number | null;
  created_at: CreatedAt;
}

type UnitKindColumn =
  | 'residential_group'
  | 'department'
  | 'police'
  | 'school'
  | 'association'
  | 'youth_union'
  | 'enterprise'
  | 'other';

interface CampaignUnitSubmittersTable {
  user_id: string;
  unit_id: string;
  created_at: CreatedAt;
}

export type StoredRowProblem = { row: number; column?: string; message: string };

interface CampaignListsTable {
  id: Id;
  campaign_id: string;
  unit_id: string;
  file_name: string;
  rows: number;
  accepted: number;
  duplicates: number;
  problems: Json<StoredRowProblem[]>;
  uploaded_by_user_id: string | null;
  uploaded_at: CreatedAt;
  replaced_at: NullableTimestamp;
}

interface CampaignListRowsTable {
  list_id: string;
  row: number;
  name: string;
  phones: string[];
  organisation: string | null;
  address: string | null;
  household: string | null;
}

interface CampaignTalliesTable {
  campaign_id: string;
  people: number;
  covered_households: number;
  unplaced: number;
  computed_at: Timestamp;
}

interface CampaignGroupTalliesTable {
  campaign_id: string;
  group_id: string;
  people: number;
  covered_households: number;
}

interface CampaignUnitTalliesTable {
  unit_id: string;
  campaign_id: string;
  listed: number;
}

export type StoredListing = { unitId: string; row: number; name: string };

interface CampaignConflictsTable {
  id: Id;
  campaign_id: string;
  kind: 'name' | 'group';
  phone: string;
  listings: Json<StoredListing[]>;
  note: string | null;
  resolved_by_user_id: string | null;
  resolved_at: NullableTimestamp;
}

interface CampaignSnapshotsTable {
  campaign_id: string;
  day: ColumnType<string, string, string>;
  group_id: string;
  people: number;
  covered_households: number;
  smartphone_households: number;
}

export type FrozenRankingEntry = {
  rank: number;
  groupId: string;
  name: string;
  rate: number;
  reachedOn: string | null;
  coveredHouseholds: number;
  smartphoneHouseholds: number;
};

interface CampaignRankingsTable {
  id: Id;
  campaign_id: string;
  frozen_on: ColumnType<string, string, string>;
  entries: Json<FrozenRankingEntry[]>;
  frozen_by_user_id: string | null;
  frozen_at: CreatedAt;
}

interface CampaignChasesTable {
  campaign_id: string;
  day: ColumnType<string, string, string>;
  notified: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
}

export interface Database {
  app_secrets: AppSecretsTable;
  wards: WardsTable;
  departments: DepartmentsTable;
  categories: CategoriesTable;
  users: UsersTable;
  api_clients: ApiClientsTable;
  sessions: SessionsTable;
  audit_entries: AuditEntriesTable;
  ward_calendars: WardCalendarsTable;
  calendar_years: CalendarYearsTable;
  calendar_warnings: CalendarWarningsTable;
  escalation_policies: EscalationPoliciesTable;
  cases: CasesTable;
  case_events: CaseEventsTable;
  case_timers: CaseTimersTable;
  escalations: EscalationsTable;
  extension_requests: ExtensionRequestsTable;
  answer_proposals: AnswerProposalsTable;
  answer_templates: AnswerTemplatesTable;
  files: FilesTable;
  case_files: CaseFilesTable;
  notifications: NotificationsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
  citizen_messages: CitizenMessagesTable;
  digests: DigestsTable;
  email_deliveries: EmailDeliveriesTable;
  residential_groups: ResidentialGroupsTable;
  residential_group_counts: ResidentialGroupCountsTable;
  campaigns: CampaignsTable;
  campaign_units: CampaignUnitsTable;
  campaign_unit_submitters: CampaignUnitSubmittersTable;
  campaign_lists: CampaignListsTable;
  campaign_list_rows: CampaignListRowsTable;
  campaign_tallies: CampaignTalliesTable;
  campaign_group_tallies: CampaignGroupTalliesTable;
  campaign_unit_tallies: CampaignUnitTalliesTable;
  campaign_conflicts: CampaignConflictsTable;
  campaign_snapshots: CampaignSnapshotsTable;
  campaign_rankings: CampaignRankingsTable;
  campaign_chases: CampaignChasesTable;
}

export type CaseRow = Selectable<CasesTable>;
