import { graphUserChanges } from '../graphChanges.js';
import { GraphSource } from '../sources.js';
import type { ApiSystem } from './types.js';
import { said } from '../../i18n/index.js';

const all = { export: true, rectify: true, restrict: true, delete: true };
const readOnly = { export: true };

const ENTRA_ENABLED =
  'The account is enabled, so the person may still work here: an account is deleted once it is disabled (a record that does not say so is kept too).';

/** A user's profile as the access package shows it: every property of the user that is about the person. */
const GRAPH_USER_PROFILE = [
  'id',
  'accountEnabled',
  'ageGroup',
  'businessPhones',
  'city',
  'companyName',
  'country',
  'createdDateTime',
  'department',
  'displayName',
  'employeeHireDate',
  'employeeId',
  'employeeType',
  'faxNumber',
  'givenName',
  'jobTitle',
  'mail',
  'mailNickname',
  'mobilePhone',
  'officeLocation',
  'otherMails',
  'postalCode',
  'preferredLanguage',
  'proxyAddresses',
  'state',
  'streetAddress',
  'surname',
  'usageLocation',
  'userPrincipalName',
  'userType',
  'assignedLicenses',
];

/** Microsoft 365 and Entra ID, on Microsoft Graph. */
export const MICROSOFT_365: ApiSystem<'graph'> = {
  id: 'graph',
  name: 'Microsoft 365 and Entra ID',
  metadata: 'graph',
  categories: {
    user: ['identity', 'contactDetails', 'employment', 'userAccount'],
    licence: ['userAccount'],
    manager: ['employment'],
  },
  // No tolower(): Learn's "filter query parameter" page does not list tolower among the functions
  // Graph supports. That Graph's eq on directory strings ignores case is observed behaviour; no Learn
  // page we found states it.
  dialect: { wildcardEq: false, tolower: false },
  source: ({ http, serviceRoot, pageSize }) => new GraphSource(http, serviceRoot, pageSize),
  entityProblem: (entities) =>
    entities.some((e) => e.related?.via !== 'navigation' && e.related)
      ? 'Graph records relate through navigation, not filter'
      : undefined,
  entities: [
    {
      kind: 'user',
      entitySet: 'users',
      key: 'id',
      match: [
        { field: 'mail', by: 'email' },
        { field: 'userPrincipalName', by: 'email' },
        { field: 'otherMails', by: 'email', mode: 'any' },
        { field: 'employeeId', by: 'employeeId', mode: 'exact' },
      ],
      // Graph returns a handful of user properties unless `$select` names them (Learn, List users).
      read: GRAPH_USER_PROFILE,
      show: ['displayName', 'userPrincipalName', 'employeeId', 'jobTitle', 'accountEnabled'],
      // Restricting a user removes their licences, which is not a field: see the Graph change hook.
      operations: all,
      changes: {
        rectify: [
          'displayName',
          'givenName',
          'surname',
          'jobTitle',
          'department',
          'officeLocation',
          'mobilePhone',
          'preferredLanguage',
        ],
        // `notIn: [false]`: a user whose accountEnabled was not read is kept, never deleted by default.
        retain: [
          {
            field: 'accountEnabled',
            notIn: [false],
            reason: ENTRA_ENABLED,
            said: said('change.keptReasons.entraEnabled'),
            basis: 'enabled-account',
            ends: 'condition',
          },
        ],
      },
    },
    {
      kind: 'licence',
      entitySet: 'licenseDetails',
      key: 'id',
      related: { to: 'user', via: 'navigation', field: 'licenseDetails' },
      show: ['skuPartNumber'],
      // Licences go with the user when it is deleted, and are what a restriction removes.
      operations: readOnly,
    },
    {
      kind: 'manager',
      entitySet: 'manager',
      key: 'id',
      related: { to: 'user', via: 'navigation', field: 'manager' },
      show: ['displayName', 'userPrincipalName'],
      operations: readOnly,
    },
  ],
  manualSteps: [
    {
      text: 'In the Microsoft 365 admin center, find the user by email or employee id and note their licences and manager.',
      said: said('guide.microsoft365.find'),
    },
  ],
  guidance: {},
  removedWithOwner: {
    licence: 'Licences are assignments on the user account and go with it when it is deleted.',
    manager: "The manager is another person's account; only the link from the deleted user goes with it.",
  },
  changeHooks: ({ http, serviceRoot }) => [graphUserChanges(http, serviceRoot)],
};
