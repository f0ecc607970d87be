import type { ManualStep } from '../../dsr/discovery.js';
import type { DataCategory } from '../dataCategories.js';
import type { EntityInput } from '../describe.js';
import type { MetadataService } from '../metadata.js';
import { BUSINESS_CENTRAL } from './businessCentral.js';
import { CUSTOMER_ENGAGEMENT } from './customerEngagement.js';
import { FINANCE_OPERATIONS } from './financeOperations.js';
import { HUMAN_RESOURCES } from './humanResources.js';
import { MICROSOFT_365 } from './microsoft365.js';
import { POWER_BI } from './powerBi.js';
import { SOCIAL_ENGAGEMENT } from './socialEngagement.js';
import { SYSTEM_LOGS } from './systemLogs.js';
import type { ApiSystem, ManualSystem } from './types.js';

/**
 * The systems the guide covers, in the order the guide and the cards list them: those with an API
 * (connected where configured, guided by hand otherwise), then those walked through by hand only.
 * Everything about a system is in its own file beside this one.
 */
export const API_SYSTEM_LIST = [
  CUSTOMER_ENGAGEMENT,
  BUSINESS_CENTRAL,
  FINANCE_OPERATIONS,
  HUMAN_RESOURCES,
  MICROSOFT_365,
] as const;
export const MANUAL_SYSTEM_LIST = [SOCIAL_ENGAGEMENT, POWER_BI, SYSTEM_LOGS] as const;

type IdOf<S> = S extends ManualSystem<infer Id> ? Id : never;
export type ApiSystemId = IdOf<(typeof API_SYSTEM_LIST)[number]>;
export type ManualSystemId = IdOf<(typeof MANUAL_SYSTEM_LIST)[number]>;
export const API_SYSTEMS = API_SYSTEM_LIST.map((s) => s.id) as [ApiSystemId, ...ApiSystemId[]];
export const MANUAL_SYSTEMS = MANUAL_SYSTEM_LIST.map((s) => s.id) as [ManualSystemId, ...ManualSystemId[]];

/** Each system with an API by its id. */
export const API_SYSTEM_BY_ID = Object.fromEntries(API_SYSTEM_LIST.map((s) => [s.id, s])) as Record<
  ApiSystemId,
  ApiSystem<ApiSystemId>
>;

const ALL_SYSTEMS: readonly ManualSystem[] = [...API_SYSTEM_LIST, ...MANUAL_SYSTEM_LIST];

export const SYSTEM_NAMES = Object.fromEntries(ALL_SYSTEMS.map((s) => [s.id, s.name])) as Record<
  ApiSystemId | ManualSystemId,
  string
>;

/** What to do by hand, per system, when it is not connected or has no API; from the guide. */
export const MANUAL_STEPS = Object.fromEntries(ALL_SYSTEMS.map((s) => [s.id, s.manualSteps])) as Record<
  ApiSystemId | ManualSystemId,
  ManualStep[]
>;

export const BUILT_IN_ENTITIES = Object.fromEntries(API_SYSTEM_LIST.map((s) => [s.id, s.entities])) as Record<
  ApiSystemId,
  EntityInput[]
>;

/** Which published metadata file describes each system's service. */
export const SYSTEM_METADATA = Object.fromEntries(API_SYSTEM_LIST.map((s) => [s.id, s.metadata])) as Record<
  ApiSystemId,
  MetadataService
>;

/**
 * The categories of every kind any system describes, so a kind reads the same wherever it is found
 * (a Business Central contact holds what a Customer Engagement contact holds).
 */
export const KIND_CATEGORIES: Readonly<Record<string, readonly DataCategory[]>> = Object.assign(
  {},
  ...API_SYSTEM_LIST.map((s) => s.categories),
) as Record<string, readonly DataCategory[]>;
