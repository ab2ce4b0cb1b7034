import { type Kysely, sql } from 'kysely';

// Installation campaigns (issue 18): drives such as "every household owning a smartphone has Smart
// Hải Phòng". A ward's residential groups keep every declared version of their household counts
// (source, when, who); a campaign's submitting units each send one current list (a new upload
// replaces the previous one, whose rows are deleted and whose counts stay); the crediting of all lists
// is recomputed on each upload into the tallies the dashboard reads; daily snapshots draw progress over
// time; a frozen ranking is kept as published. A unit's submitter is a user of the new role
// `unit_submitter`, bound to one unit. Row-level data (names, phones) lives only in
// campaign_list_rows and campaign_conflicts, which the retention sweep empties after the campaign.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE users DROP CONSTRAINT users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check
      CHECK (role IN ('admin', 'intake', 'department_head', 'department_officer', 'chairman', 'unit_submitter'));
    ALTER TABLE users DROP CONSTRAINT users_role_binding;
    ALTER TABLE users ADD CONSTRAINT users_role_binding CHECK (
      (role = 'admin' AND ward_id IS NULL AND department_id IS NULL)
      OR (role IN ('intake', 'chairman', 'unit_submitter') AND ward_id IS NOT NULL AND department_id IS NULL)
      OR (role IN ('department_head', 'department_officer') AND ward_id IS NOT NULL AND department_id IS NOT NULL)
    );

    CREATE TABLE residential_groups (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint NOT NULL REFERENCES wards (id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (id, ward_id)
    );
    CREATE UNIQUE INDEX residential_groups_name_idx ON residential_groups (ward_id, lower(name));

    -- Every declared version; the current one is the latest id of its group.
    CREATE TABLE residential_group_counts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      group_id bigint NOT NULL REFERENCES residential_groups (id),
      households integer NOT NULL CHECK (households BETWEEN 0 AND 1000000),
      smartphone_households integer NOT NULL CHECK (smartphone_households >= 0 AND smartphone_households <= households),
      source text CHECK (length(source) BETWEEN 1 AND 500),
      recorded_by_user_id bigint REFERENCES users (id),
      recorded_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX residential_group_counts_group_idx ON residential_group_counts (group_id, id DESC);

    CREATE TABLE campaigns (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      ward_id bigint NOT NULL REFERENCES wards (id),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
      document_number text CHECK (length(document_number) BETWEEN 1 AND 100),
      document_date date,
      starts_on date NOT NULL,
      ends_on date NOT NULL CHECK (ends_on >= starts_on),
      coordinating_department_id bigint NOT NULL,
      targets jsonb NOT NULL,
      chase jsonb,
      created_by_user_id bigint REFERENCES users (id),
      created_at timestamptz NOT NULL DEFAULT now(),
      rows_deleted_at timestamptz,
      FOREIGN KEY (coordinating_department_id, ward_id) REFERENCES departments (id, ward_id),
      UNIQUE (id, ward_id)
    );
    CREATE INDEX campaigns_ward_idx ON campaigns (ward_id, id DESC);
    CREATE INDEX campaigns_department_idx ON campaigns (coordinating_department_id, ward_id);

    CREATE TABLE campaign_units (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      kind text NOT NULL CHECK (kind IN ('residential_group', 'department', 'police', 'school', 'association', 'youth_union', 'enterprise', 'other')),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      residential_group_id bigint REFERENCES residential_groups (id),
      headcount integer CHECK (headcount BETWEEN 0 AND 1000000),
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((kind = 'residential_group') = (residential_group_id IS NOT NULL)),
      UNIQUE (campaign_id, residential_group_id)
    );
    CREATE UNIQUE INDEX campaign_units_name_idx ON campaign_units (campaign_id, lower(name));
    CREATE INDEX campaign_units_group_idx ON campaign_units (residential_group_id) WHERE residential_group_id IS NOT NULL;

    CREATE TABLE campaign_unit_submitters (
      user_id bigint PRIMARY KEY REFERENCES users (id),
      unit_id bigint NOT NULL REFERENCES campaign_units (id),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX campaign_unit_submitters_unit_idx ON campaign_unit_submitters (unit_id);

    -- Every upload; the unit's current list is the one not replaced.
    CREATE TABLE campaign_lists (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      unit_id bigint NOT NULL REFERENCES campaign_units (id),
      file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
      rows integer NOT NULL,
      accepted integer NOT NULL,
      duplicates integer NOT NULL,
      problems jsonb NOT NULL,
      uploaded_by_user_id bigint REFERENCES users (id),
      uploaded_at timestamptz NOT NULL DEFAULT now(),
      replaced_at timestamptz
    );
    CREATE UNIQUE INDEX campaign_lists_current_idx ON campaign_lists (unit_id) WHERE replaced_at IS NULL;
    CREATE INDEX campaign_lists_campaign_idx ON campaign_lists (campaign_id, unit_id);
    CREATE INDEX campaign_lists_uploaded_by_idx ON campaign_lists (uploaded_by_user_id) WHERE uploaded_by_user_id IS NOT NULL;

    CREATE TABLE campaign_list_rows (
      list_id bigint NOT NULL REFERENCES campaign_lists (id) ON DELETE CASCADE,
      row integer NOT NULL,
      name text NOT NULL,
      phones text[] NOT NULL,
      organisation text,
      address text,
      household text,
      PRIMARY KEY (list_id, row)
    );

    -- The crediting of the current lists, recomputed on each upload and each count change.
    CREATE TABLE campaign_tallies (
      campaign_id bigint PRIMARY KEY REFERENCES campaigns (id),
      people integer NOT NULL,
      covered_households integer NOT NULL,
      unplaced integer NOT NULL,
      computed_at timestamptz NOT NULL
    );
    CREATE TABLE campaign_group_tallies (
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      group_id bigint NOT NULL REFERENCES residential_groups (id),
      people integer NOT NULL,
      covered_households integer NOT NULL,
      PRIMARY KEY (campaign_id, group_id)
    );
    CREATE INDEX campaign_group_tallies_group_idx ON campaign_group_tallies (group_id);
    CREATE TABLE campaign_unit_tallies (
      unit_id bigint PRIMARY KEY REFERENCES campaign_units (id),
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      listed integer NOT NULL
    );
    CREATE INDEX campaign_unit_tallies_campaign_idx ON campaign_unit_tallies (campaign_id);

    CREATE TABLE campaign_conflicts (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      kind text NOT NULL CHECK (kind IN ('name', 'group')),
      phone text NOT NULL,
      listings jsonb NOT NULL,
      -- The coordinator's resolution; a conflict still there after a recomputation keeps its row.
      note text CHECK (length(note) BETWEEN 1 AND 1000),
      resolved_by_user_id bigint REFERENCES users (id),
      resolved_at timestamptz,
      UNIQUE (campaign_id, kind, phone)
    );
    -- One row per campaign, day and group (group_id 0: the ward's totals), the day's last figures.
    CREATE TABLE campaign_snapshots (
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      day date NOT NULL,
      group_id bigint NOT NULL,
      people integer NOT NULL,
      covered_households integer NOT NULL,
      smartphone_households integer NOT NULL,
      PRIMARY KEY (campaign_id, day, group_id)
    );

    CREATE TABLE campaign_rankings (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      frozen_on date NOT NULL,
      entries jsonb NOT NULL,
      frozen_by_user_id bigint REFERENCES users (id),
      frozen_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX campaign_rankings_campaign_idx ON campaign_rankings (campaign_id, id DESC);

    -- The chasing runs: one per campaign and Vietnam day, whoever's tick claims it first.
    CREATE TABLE campaign_chases (
      campaign_id bigint NOT NULL REFERENCES campaigns (id),
      day date NOT NULL,
      notified integer NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (campaign_id, day)
    );
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS campaign_chases, campaign_rankings, campaign_snapshots, campaign_conflicts, campaign_unit_tallies, campaign_group_tallies, campaign_tallies, campaign_list_rows,
      campaign_lists, campaign_unit_submitters, campaign_units, campaigns, residential_group_counts,
      residential_groups;
    DELETE FROM users WHERE role = 'unit_submitter';
    ALTER TABLE users DROP CONSTRAINT users_role_binding;
    ALTER TABLE users ADD CONSTRAINT users_role_binding CHECK (
      (role = 'admin' AND ward_id IS NULL AND department_id IS NULL)
      OR (role IN ('intake', 'chairman') AND ward_id IS NOT NULL AND department_id IS NULL)
      OR (role IN ('department_head', 'department_officer') AND ward_id IS NOT NULL AND department_id IS NOT NULL)
    );
    ALTER TABLE users DROP CONSTRAINT users_role_check;
    ALTER TABLE users ADD CONSTRAINT users_role_check
      CHECK (role IN ('admin', 'intake', 'department_head', 'department_officer', 'chairman'));
  `.execute(db);
}
