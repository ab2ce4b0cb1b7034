import type { Redis } from 'ioredis';
import type { Config } from './config.ts';
import { createPool, type Db, dbOnPool, type Pool } from './db/database.ts';
import { loadOrCreateSecret } from './db/secrets.ts';
import { createAnswerTemplateService } from './modules/answer-templates/answer-template-service.ts';
import { createAuditService } from './modules/audit/audit-service.ts';
import { createAuthService } from './modules/auth/auth-service.ts';
import { createAddressFailureLimit, createLoginLockout } from './modules/auth/login-lockout.ts';
import { createSessionStore } from './modules/auth/sessions.ts';
import { createTokenService } from './modules/auth/tokens.ts';
import { createCampaignBackground } from './modules/campaigns/campaign-background.ts';
import { createCampaignListService } from './modules/campaigns/campaign-list-service.ts';
import { createCampaignProgressService } from './modules/campaigns/campaign-progress-service.ts';
import { createCampaignService } from './modules/campaigns/campaign-service.ts';
import { createResidentialGroupService } from './modules/campaigns/residential-group-service.ts';
import { createCaseService } from './modules/cases/case-service.ts';
import { rederiveCaseDeadlines } from './modules/cases/deadline-rederivation.ts';
import { createIntakeContextLoader } from './modules/cases/intake-context.ts';
import { createTrackingTokens, type TrackingTokens } from './modules/cases/tracking-link.ts';
import { createDigestService, type DigestService } from './modules/digest/digest-service.ts';
import { createDirectoryService } from './modules/directory/directory-service.ts';
import { createFileService, type FileService } from './modules/files/file-service.ts';
import { createPostgresFileStore } from './modules/files/file-store.ts';
import { createMessageQueries } from './modules/messages/message-queries.ts';
import { createNotificationService } from './modules/notifications/notification-service.ts';
import { createWebhookService } from './modules/notifications/webhook-service.ts';
import { createOpen311Service } from './modules/open311/open311-service.ts';
import { createReportService } from './modules/reports/report-service.ts';
import { type CalendarService, createCalendarService } from './modules/sla/calendar-service.ts';
import { type CalendarWarnings, createCalendarWarnings } from './modules/sla/calendar-warnings.ts';
import { createEscalationQueries } from './modules/sla/escalation-queries.ts';
import { createSlaSettingsService } from './modules/sla/sla-settings-service.ts';
import { createWorkflowActions, type WorkflowActions } from './modules/workflow/workflow-service.ts';
import { closeQueues, createQueues, type Queues } from './shared/queues.ts';
import { createRedis } from './shared/redis.ts';

/**
 * What both processes stand on: Postgres (Kysely, and the raw pool intake's fast path uses), Redis,
 * the queues, and the key of the reporters' tracking links (status messages carry them).
 */
type Infrastructure = {
  config: Config;
  pool: Pool;
  db: Db;
  redis: Redis;
  queues: Queues;
  /** The reporter's own tracking links (their messages carry them; public tracking checks them). */
  tracking: TrackingTokens;
  close: () => Promise<void>;
};

export async function createInfrastructure(
  config: Config,
  options: { role: 'api' | 'worker'; lazyRedis?: boolean | undefined },
): Promise<Infrastructure> {
  const pool = createPool({
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    applicationName: `pakn-${options.role}`,
  });
  const db = dbOnPool(pool);
  const redis = createRedis(config.REDIS_URL, options.role, { lazyConnect: options.lazyRedis ?? false });
  const queues = createQueues(redis, config.REDIS_PREFIX);
  return {
    config,
    pool,
    db,
    redis,
    queues,
    tracking: createTrackingTokens(() => loadOrCreateSecret(db, 'tracking')),
    async close() {
      await closeQueues(queues).catch(() => {});
      redis.disconnect();
      await db.destroy();
    },
  };
}

/** The services whose work the worker's ticks run; the API builds them too (digest routes, /ready). */
export function createBackgroundServices({ config, db }: Pick<Infrastructure, 'config' | 'db'>) {
  return {
    digests: createDigestService({
      db,
      schedule: config.DIGEST_SCHEDULE,
      catchUpMs: config.DIGEST_CATCH_UP_HOURS * 3_600_000,
      emailFrom: config.SMTP_URL ? config.SMTP_FROM : undefined,
    }),
    calendarWarnings: createCalendarWarnings({
      db,
      emailFrom: config.SMTP_URL ? config.SMTP_FROM : undefined,
    }),
    campaignBackground: createCampaignBackground({
      db,
      emailFrom: config.SMTP_URL ? config.SMTP_FROM : undefined,
      retentionDays: config.CAMPAIGN_ROW_RETENTION_DAYS,
    }),
  };
}

/** The API's composition root: every service built from plain factories with explicit dependencies. */
export type Container = Omit<Infrastructure, 'pool'> & {
  auth: ReturnType<typeof createAuthService>;
  directory: ReturnType<typeof createDirectoryService>;
  audit: ReturnType<typeof createAuditService>;
  cases: ReturnType<typeof createCaseService>;
  actions: WorkflowActions;
  files: FileService;
  slaSettings: ReturnType<typeof createSlaSettingsService>;
  calendars: CalendarService;
  calendarWarnings: CalendarWarnings;
  notifications: ReturnType<typeof createNotificationService>;
  escalations: ReturnType<typeof createEscalationQueries>;
  webhooks: ReturnType<typeof createWebhookService>;
  reports: ReturnType<typeof createReportService>;
  messages: ReturnType<typeof createMessageQueries>;
  open311: ReturnType<typeof createOpen311Service>;
  digests: DigestService;
  answerTemplates: ReturnType<typeof createAnswerTemplateService>;
  residentialGroups: ReturnType<typeof createResidentialGroupService>;
  campaigns: ReturnType<typeof createCampaignService>;
  campaignLists: ReturnType<typeof createCampaignListService>;
  campaignProgress: ReturnType<typeof createCampaignProgressService>;
};

export async function createContainer(
  config: Config,
  options: { role: 'api' | 'worker'; jwtSecret?: string; lazyRedis?: boolean },
): Promise<Container> {
  const infrastructure = await createInfrastructure(config, options);
  const { pool, db, redis, queues, tracking } = infrastructure;
  const jwtSecret = options.jwtSecret ?? config.JWT_SECRET ?? (await loadOrCreateSecret(db, 'jwt'));
  const tokens = createTokenService({ secret: jwtSecret, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
  const lockout = createLoginLockout({
    redis,
    prefix: config.REDIS_PREFIX,
    threshold: config.LOGIN_LOCKOUT_THRESHOLD,
    lockSeconds: config.LOGIN_LOCKOUT_SECONDS,
    maxLockSeconds: config.LOGIN_LOCKOUT_MAX_SECONDS,
  });
  const addressLimit = createAddressFailureLimit({
    redis,
    prefix: config.REDIS_PREFIX,
    maxFailures: config.LOGIN_ADDRESS_MAX_FAILURES,
    windowSeconds: config.LOGIN_ADDRESS_WINDOW_SECONDS,
  });
  const sessions = createSessionStore({
    db,
    idleMinutes: config.SESSION_IDLE_MINUTES,
    maxHours: config.SESSION_MAX_HOURS,
    cacheTtlMs: config.AUTH_CACHE_TTL_MS,
  });
  const auth = createAuthService({
    db,
    tokens,
    sessions,
    cacheTtlMs: Math.min(config.AUTH_CACHE_TTL_MS, config.REFERENCE_CACHE_TTL_MS),
    lockout,
    addressLimit,
  });
  const intakeContext = createIntakeContextLoader({ db, ttlMs: config.REFERENCE_CACHE_TTL_MS });
  const directory = createDirectoryService({ db, sessions, auth, onChange: () => intakeContext.clear() });
  const audit = createAuditService({ db });
  const cases = createCaseService({
    db,
    pool,
    queues,
    tracking,
    intakeContext,
    searchWindow: config.CASE_SEARCH_WINDOW,
    messagesEnabled: config.SMS_PROVIDER !== 'none',
    duplicates:
      config.DUPLICATE_RADIUS_METERS > 0
        ? {
            radiusMeters: config.DUPLICATE_RADIUS_METERS,
            windowDays: config.DUPLICATE_WINDOW_DAYS,
            similarity: config.DUPLICATE_SIMILARITY,
          }
        : null,
  });
  const files = createFileService({ db, store: createPostgresFileStore(db), cases });
  const actions = createWorkflowActions({
    db,
    files,
    queues,
    intakeContext,
    reopenWindowDays: config.REOPEN_WINDOW_DAYS,
    messagesEnabled: config.SMS_PROVIDER !== 'none',
  });
  const slaSettings = createSlaSettingsService({ db, onChange: () => intakeContext.clear() });
  const calendars = createCalendarService({
    db,
    onChange: () => intakeContext.clear(),
    rederive: rederiveCaseDeadlines,
  });
  const notifications = createNotificationService({ db });
  const escalations = createEscalationQueries({ db, cases });
  const webhooks = createWebhookService({ db, allowPrivate: config.WEBHOOK_ALLOW_PRIVATE });
  const reports = createReportService({ db });
  const messages = createMessageQueries({ db, cases });
  const open311 = createOpen311Service({ db, cases, auth });
  const { digests, calendarWarnings } = createBackgroundServices({ config, db });
  const answerTemplates = createAnswerTemplateService({ db });
  const residentialGroups = createResidentialGroupService({ db });
  const campaigns = createCampaignService({ db, createUser: directory.createUser });
  const campaignLists = createCampaignListService({ db, maxRows: config.CAMPAIGN_LIST_MAX_ROWS });
  const campaignProgress = createCampaignProgressService({ db });

  return {
    config,
    db,
    redis,
    queues,
    tracking,
    close: infrastructure.close,
    auth,
    directory,
    audit,
    cases,
    actions,
    files,
    slaSettings,
    calendars,
    calendarWarnings,
    notifications,
    escalations,
    webhooks,
    reports,
    messages,
    open311,
    digests,
    answerTemplates,
    residentialGroups,
    campaigns,
    campaignLists,
    campaignProgress,
  };
}
