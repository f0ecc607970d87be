import { z } from 'zod';
import { header, json, noContent, parseJsonBody, ServiceError, type Reply, type SystemRequest } from '../http.js';
import {
  ADVANCED_OPERATORS,
  ADVANCED_USER_ORDERBY,
  ADVANCED_USER_PROPERTIES,
  UNSETTLED_OPERATORS,
} from '../../connectors/graphAdvancedQuery.js';
import { collectOperators, collectProperties, comparesWithNull, text, type JsonRecord } from '../odata/filter.js';
import { ODataQueryError } from '../odata/lexer.js';
import { conformDefs } from '../odata/conform.js';
import { formatRow, type EntitySetDef } from '../odata/query.js';
import { ODataService, type Binding } from '../odata/service.js';
import { Table, type StoredRow } from '../odata/store.js';
import { graphSeed, skus } from '../seed.js';
import type { SandboxCore, SystemService } from './common.js';
import { createGraphMail } from './graphMail.js';
import type { SandboxInbox } from './graphInbox.js';

export const GRAPH_PREFIX = '/v1.0';
export const GRAPH_DEFAULT_PAGE_SIZE = 100;
export const GRAPH_MAX_PAGE_SIZE = 999;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const userDef: EntitySetDef = {
  name: 'users',
  typeName: 'microsoft.graph.user',
  key: ['id'],
  properties: {
    id: 'string',
    displayName: 'string',
    givenName: 'string',
    surname: 'string',
    mail: 'string',
    userPrincipalName: 'string',
    employeeId: 'string',
    jobTitle: 'string',
    department: 'string',
    officeLocation: 'string',
    mobilePhone: 'string',
    businessPhones: 'strings',
    otherMails: 'strings',
    accountEnabled: 'boolean',
    usageLocation: 'string',
    companyName: 'string',
    preferredLanguage: 'string',
    createdDateTime: 'datetime',
    deletedDateTime: 'datetime',
    // More of the profile, as the CSDL has it: returned only when `$select` names them.
    ageGroup: 'string',
    city: 'string',
    country: 'string',
    employeeHireDate: 'datetime',
    employeeType: 'string',
    faxNumber: 'string',
    mailNickname: 'string',
    postalCode: 'string',
    proxyAddresses: 'strings',
    state: 'string',
    streetAddress: 'string',
    userType: 'string',
    assignedLicenses: 'json',
    // Who assigned each licence: `assignedByGroup` null for a direct assignment, else the group's id.
    licenseAssignmentStates: 'json',
  },
  // Graph v1.0 returns only these user properties unless $select asks for more.
  defaultSelect: [
    'businessPhones',
    'displayName',
    'givenName',
    'jobTitle',
    'mail',
    'mobilePhone',
    'officeLocation',
    'preferredLanguage',
    'surname',
    'userPrincipalName',
    'id',
  ],
};

const groupDef: EntitySetDef = {
  name: 'groups',
  typeName: 'microsoft.graph.group',
  key: ['id'],
  properties: {
    id: 'string',
    displayName: 'string',
    mail: 'string',
    mailNickname: 'string',
    description: 'string',
    securityEnabled: 'boolean',
    mailEnabled: 'boolean',
  },
};

const assignLicenseBody = z.object({
  addLicenses: z.array(z.object({ skuId: z.string().regex(GUID), disabledPlans: z.array(z.string()).optional() })),
  removeLicenses: z.array(z.string().regex(GUID)),
});

export function createGraph(core: SandboxCore): SystemService & { inbox: SandboxInbox } {
  // Every property served must be in the Graph CSDL, or the sandbox does not start.
  conformDefs('graph', { users: userDef, groups: groupDef });
  const users = new Table('users', ['id'], core.clock);
  const deleted = new Table('deletedItems', ['id'], core.clock);
  const groups = new Table('groups', ['id'], core.clock);
  let members = new Map<string, string[]>();
  let managers = new Map<string, string>();
  /** Licences assigned directly, per user; group-assigned ones follow from membership and groupLicenses. */
  let licenses = new Map<string, string[]>();
  let groupLicenses = new Map<string, string[]>();
  const subscribed = Object.values(skus);

  const serviceRoot = `${core.baseUrl}${GRAPH_PREFIX}`;
  const mail = createGraphMail(core);
  const service = new ODataService({
    serviceRoot,
    paging: {
      defaultPageSize: GRAPH_DEFAULT_PAGE_SIZE,
      preferHeader: false,
      topMode: 'page',
      maxTop: GRAPH_MAX_PAGE_SIZE,
      allowSkip: false,
    },
    context: { caseInsensitive: true, wildcardEq: false, sets: { users: userDef, groups: groupDef } },
    codes: {
      badRequest: 'BadRequest',
      notFound: 'Request_ResourceNotFound',
      preconditionFailed: {
        status: 412,
        code: 'PreconditionFailed',
        message: 'The resource has been modified since it was read.',
      },
      methodNotAllowed: 'Request_BadRequest',
    },
    ifMatchRequired: false,
    upsert: false,
    patchReturnsEntity: false,
  });

  const memberIds = (groupId: string, transitive: boolean, seen = new Set<string>()): string[] => {
    const ids: string[] = [];
    for (const id of members.get(groupId) ?? []) {
      if (members.has(id)) {
        if (transitive && !seen.has(id)) {
          seen.add(id);
          ids.push(...memberIds(id, true, seen));
        }
        continue;
      }
      ids.push(id);
    }
    return ids;
  };

  const assigned = (skuIds: readonly string[]): JsonRecord[] => skuIds.map((skuId) => ({ disabledPlans: [], skuId }));

  /**
   * One state per assignment path, as Graph's licenseAssignmentState has them: a licence a user has
   * directly and through a group shows twice (Learn, licenseAssignmentState resource type).
   */
  const assignmentStates = (userId: string): JsonRecord[] => {
    const state = (skuId: string, assignedByGroup: string | null): JsonRecord => ({
      assignedByGroup,
      disabledPlans: [],
      error: 'None',
      lastUpdatedDateTime: null,
      skuId,
      state: 'Active',
    });
    const inherited = [...groupLicenses.entries()].flatMap(([groupId, skuIds]) =>
      memberIds(groupId, true).includes(userId) ? skuIds.map((skuId) => state(skuId, groupId)) : [],
    );
    return [...(licenses.get(userId) ?? []).map((skuId) => state(skuId, null)), ...inherited];
  };

  /** Every licence the user holds, however assigned (what assignedLicenses and licenseDetails show). */
  const heldLicences = (userId: string): string[] => [
    ...new Set(assignmentStates(userId).map((state) => state.skuId as string)),
  ];

  const licenceFields = (userId: string): JsonRecord => ({
    assignedLicenses: assigned(heldLicences(userId)),
    licenseAssignmentStates: assignmentStates(userId),
  });

  const reset = (): void => {
    mail.reset();
    users.clear();
    deleted.clear();
    groups.clear();
    members = new Map();
    for (const group of graphSeed.groups) {
      const { members: ids, ...data } = group;
      groups.insert(data);
      members.set(group.id, [...ids]);
    }
    managers = new Map(Object.entries(graphSeed.managers));
    licenses = new Map(Object.entries(graphSeed.licenses).map(([id, list]) => [id, [...list]]));
    groupLicenses = new Map(Object.entries(graphSeed.groupLicenses).map(([id, list]) => [id, [...list]]));
    graphSeed.users.forEach((user) =>
      users.insert({ ...user, deletedDateTime: null, ...licenceFields(user.id as string) }),
    );
  };
  reset();

  const notFound = (id: string): ServiceError =>
    new ServiceError(
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );

  const findUser = (idOrUpn: string): StoredRow | undefined => {
    const wanted = idOrUpn.toLowerCase();
    const byId = users.get(wanted);
    if (byId) return byId;
    for (const row of users.values()) {
      if (text(row.data.userPrincipalName).toLowerCase() === wanted) return row;
    }
    return undefined;
  };

  const requireUser = (idOrUpn: string): StoredRow => {
    const row = findUser(idOrUpn);
    if (!row) throw notFound(idOrUpn);
    return row;
  };

  const advancedQuery = (request: SystemRequest): boolean =>
    (header(request.headers, 'consistencylevel') ?? '').toLowerCase() === 'eventual';

  /**
   * Graph's rules for advanced queries on directory objects (Learn, "Advanced query capabilities on
   * Microsoft Entra ID objects"; the tables are in connectors/graphAdvancedQuery.ts): what needs
   * `ConsistencyLevel: eventual` and `$count=true` is refused without them with the page's error body.
   * Returns whether the query is an advanced one, whose answer carries `@odata.count`.
   */
  const checkDirectoryQuery = (request: SystemRequest, binding: Binding, users: boolean): boolean => {
    const params = request.url.searchParams;
    const eventual = advancedQuery(request);
    const advanced = eventual && params.get('$count') === 'true';
    if (params.has('$search')) {
      // `$search` needs the header only, not `$count`.
      if (!eventual)
        throw new ServiceError(
          400,
          'Request_UnsupportedQuery',
          "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        );
      throw new ServiceError(400, 'Request_BadRequest', 'The sandbox does not implement $search; use $filter.');
    }
    const missing = (what: string): ServiceError =>
      new ServiceError(
        400,
        'Request_UnsupportedQuery',
        `${what} is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
      );
    const query = service.parse(binding, request);
    const orderby = params.get('$orderby');
    if (!advanced && orderby !== null) {
      // The page gives no error body for these two; the operator's wording is assumed.
      if (query.filterExpr) throw missing("Using '$orderby' with '$filter'");
      const sorted = ADVANCED_USER_ORDERBY.find((prop) => users && orderby.toLowerCase().includes(prop.toLowerCase()));
      if (sorted) throw missing(`Sorting by '${sorted}'`);
    }
    if (query.filterExpr && !advanced) {
      const used = collectOperators(query.filterExpr);
      const refused = [...ADVANCED_OPERATORS, ...UNSETTLED_OPERATORS].find((op) => used.has(op));
      if (refused) throw missing(`Operator '${refused === 'endswith' ? 'endsWith' : refused}'`);
      if (users) {
        const props = collectProperties(query.filterExpr);
        const property = ADVANCED_USER_PROPERTIES.find((prop) => props.has(prop));
        // The page shows the error body for an operator only; for a property the same wording is assumed.
        if (property) throw missing(`Property '${property}'`);
        if (comparesWithNull(query.filterExpr)) throw missing("Comparing with 'null'");
      }
    }
    return advanced;
  };

  const withType = (type: string, body: JsonRecord): JsonRecord => ({
    '@odata.type': `#microsoft.graph.${type}`,
    ...body,
  });

  const userBinding: Binding = { def: userDef, table: users, readOnlyProps: ['createdDateTime', 'deletedDateTime'] };

  const listUsers = (request: SystemRequest, binding: Binding): Reply => {
    const advanced = checkDirectoryQuery(request, binding, true);
    return countedOnlyIfAdvanced(service.list(binding, request), advanced);
  };

  /** Without the advanced query parameters Graph ignores `$count=true` silently: no count in the answer. */
  const countedOnlyIfAdvanced = (reply: Reply, advanced: boolean): Reply => {
    if (!advanced && reply.body && typeof reply.body === 'object') delete (reply.body as JsonRecord)['@odata.count'];
    return reply;
  };

  const typedList = (reply: Reply, type: string): Reply => {
    const body = reply.body as JsonRecord;
    body.value = (body.value as JsonRecord[]).map((item) => withType(type, item));
    return reply;
  };

  const userRoutes = (request: SystemRequest, parts: string[]): Reply => {
    const [, rawId, action, ...rest] = parts;
    if (rawId === undefined) {
      if (request.method === 'GET') return listUsers(request, userBinding);
      throw new ServiceError(405, 'Request_BadRequest', 'The sandbox does not create users.');
    }
    const id = decodeURIComponent(rawId);
    if (action === 'sendMail' || /^mailFolders(\(|$)/.test(action ?? ''))
      return mail.handle(request, id, [action!, ...rest]);
    if (rest.length > 0) throw new ServiceError(400, 'Request_BadRequest', `Unsupported segment '${rest.join('/')}'.`);
    if (action === undefined) {
      const row = requireUser(id);
      if (request.method === 'DELETE') return deleteUser(request, row);
      return service.handle(userBinding, row.key, request);
    }
    const user = requireUser(id);
    const userId = user.data.id as string;
    switch (action) {
      case 'licenseDetails': {
        if (request.method !== 'GET') break;
        const value = heldLicences(userId).map((skuId) => ({
          id: Buffer.from(`${userId}:${skuId}`).toString('base64url'),
          skuId,
          skuPartNumber: subscribed.find((sku) => sku.skuId === skuId)?.skuPartNumber ?? 'UNKNOWN',
          servicePlans: [],
        }));
        return json(200, { '@odata.context': `${serviceRoot}/$metadata#users('${userId}')/licenseDetails`, value });
      }
      case 'manager': {
        if (request.method !== 'GET') break;
        const managerId = managers.get(userId);
        const manager = managerId ? users.get(managerId) : undefined;
        if (!manager) throw notFound('manager');
        return json(200, {
          '@odata.context': `${serviceRoot}/$metadata#directoryObjects/$entity`,
          ...withType(
            'user',
            formatRow(manager, userDef, service.parse(userBinding, request).select, [], service.policy.context),
          ),
        });
      }
      case 'memberOf': {
        if (request.method !== 'GET') break;
        const ids = [...members.entries()].filter(([, list]) => list.includes(userId)).map(([groupId]) => groupId);
        const reply = service.list({ def: groupDef, table: groups, where: (row) => ids.includes(row.key) }, request);
        return typedList(reply, 'group');
      }
      case 'assignLicense': {
        if (request.method !== 'POST') break;
        return assignLicense(request, user);
      }
      default:
        throw new ServiceError(400, 'Request_BadRequest', `Resource not found for the segment '${action}'.`);
    }
    throw new ServiceError(405, 'Request_BadRequest', `The method ${request.method} is not allowed here.`);
  };

  const assignLicense = (request: SystemRequest, user: StoredRow): Reply => {
    const parsed = assignLicenseBody.safeParse(parseJsonBody(request));
    if (!parsed.success) {
      throw new ServiceError(
        400,
        'Request_BadRequest',
        'Invalid request body: addLicenses and removeLicenses are both required.',
      );
    }
    const userId = user.data.id as string;
    const current = new Set(licenses.get(userId) ?? []);
    for (const { skuId } of parsed.data.addLicenses) {
      if (!subscribed.some((sku) => sku.skuId === skuId.toLowerCase())) {
        throw new ServiceError(
          400,
          'Request_BadRequest',
          `License ${skuId} does not correspond to a valid company License.`,
        );
      }
      if (!user.data.usageLocation) {
        throw new ServiceError(
          400,
          'Request_BadRequest',
          'License assignment cannot be done for user with invalid usage location.',
        );
      }
    }
    const inherited = new Set(heldLicences(userId));
    for (const skuId of parsed.data.removeLicenses) {
      if (current.has(skuId.toLowerCase())) continue;
      if (inherited.has(skuId.toLowerCase())) {
        // Only a direct assignment can be removed from the user; an inherited one goes with the group.
        // The message is the one administrators report from the service (e.g. CIPP issue #4090); no
        // Learn page documents this error, so its code and status here are assumed, not confirmed.
        throw new ServiceError(
          400,
          'Request_BadRequest',
          'User license is inherited from a group membership and it cannot be removed directly from the user.',
        );
      }
      throw new ServiceError(400, 'Request_BadRequest', 'User does not have a corresponding license.');
    }
    for (const { skuId } of parsed.data.addLicenses) current.add(skuId.toLowerCase());
    for (const skuId of parsed.data.removeLicenses) current.delete(skuId.toLowerCase());
    licenses.set(userId, [...current]);
    const updated = users.update(user, licenceFields(userId));
    return json(200, {
      '@odata.context': `${serviceRoot}/$metadata#users/$entity`,
      ...formatRow(updated, userDef, undefined, [], service.policy.context),
    });
  };

  const deleteUser = (request: SystemRequest, user: StoredRow): Reply => {
    const data = user.data;
    service.delete(userBinding, user.key, request);
    // A deleted user stays restorable for 30 days until deleted again from deletedItems.
    deleted.insert({ ...data, deletedDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
    return noContent();
  };

  const purge = (userId: string): void => {
    deleted.delete(userId);
    licenses.delete(userId);
    managers.delete(userId);
    for (const [report, manager] of [...managers.entries()]) if (manager === userId) managers.delete(report);
    for (const [groupId, list] of members)
      members.set(
        groupId,
        list.filter((id) => id !== userId),
      );
  };

  const deletedBinding: Binding = { def: userDef, table: deleted };

  const directoryRoutes = (request: SystemRequest, parts: string[]): Reply => {
    const [, collection, rawId, action] = parts;
    if (collection !== 'deletedItems')
      throw new ServiceError(400, 'Request_BadRequest', `Resource not found for the segment '${collection ?? ''}'.`);
    if (rawId === undefined || rawId === 'microsoft.graph.user') {
      if (request.method !== 'GET') throw new ServiceError(405, 'Request_BadRequest', 'Only GET is allowed here.');
      return typedList(service.list(deletedBinding, request), 'user');
    }
    const id = decodeURIComponent(rawId).toLowerCase();
    const row = deleted.get(id);
    if (!row) throw notFound(id);
    if (action === 'restore' && request.method === 'POST') {
      deleted.delete(id);
      const restored = users.insert({ ...row.data, deletedDateTime: null });
      return json(200, {
        '@odata.context': `${serviceRoot}/$metadata#directoryObjects/$entity`,
        ...withType('user', formatRow(restored, userDef, undefined, [], service.policy.context)),
      });
    }
    if (action !== undefined)
      throw new ServiceError(400, 'Request_BadRequest', `Resource not found for the segment '${action}'.`);
    if (request.method === 'GET') {
      const select = service.parse(deletedBinding, request).select;
      return json(200, {
        '@odata.context': `${serviceRoot}/$metadata#directoryObjects/$entity`,
        ...withType(
          'user',
          formatRow(
            row,
            userDef,
            select ?? [...(userDef.defaultSelect ?? []), 'deletedDateTime'],
            [],
            service.policy.context,
          ),
        ),
      });
    }
    if (request.method === 'DELETE') {
      purge(id);
      return noContent();
    }
    throw new ServiceError(405, 'Request_BadRequest', `The method ${request.method} is not allowed here.`);
  };

  const groupRoutes = (request: SystemRequest, parts: string[]): Reply => {
    const [, rawId, action] = parts;
    const groupBinding: Binding = { def: groupDef, table: groups };
    if (request.method !== 'GET')
      throw new ServiceError(405, 'Request_BadRequest', 'The sandbox serves groups read-only.');
    if (rawId === undefined) {
      const advanced = checkDirectoryQuery(request, groupBinding, false);
      return countedOnlyIfAdvanced(service.list(groupBinding, request), advanced);
    }
    const id = decodeURIComponent(rawId).toLowerCase();
    if (!groups.get(id)) throw notFound(id);
    if (action === undefined) return service.get(groupBinding, id, request);
    if (action !== 'members' && action !== 'transitiveMembers') {
      throw new ServiceError(400, 'Request_BadRequest', `Resource not found for the segment '${action}'.`);
    }
    const ids = new Set(memberIds(id, action === 'transitiveMembers'));
    const binding: Binding = { ...userBinding, where: (row) => ids.has(row.key) };
    return typedList(listUsers(request, binding), 'user');
  };

  const handle = (request: SystemRequest): Reply => {
    const parts = request.path.split('/').filter((part) => part !== '');
    const root = parts[0];
    try {
      switch (root) {
        case 'users':
          return userRoutes(request, parts);
        case 'groups':
          return groupRoutes(request, parts);
        case 'directory':
          return directoryRoutes(request, parts);
        case 'subscribedSkus':
          return json(200, {
            '@odata.context': `${serviceRoot}/$metadata#subscribedSkus`,
            value: subscribed.map((sku) => ({
              ...sku,
              id: `${core.tenantId}_${sku.skuId}`,
              capabilityStatus: 'Enabled',
              consumedUnits: 0,
              prepaidUnits: { enabled: 25 },
            })),
          });
        case 'me':
          throw new ServiceError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
        default:
          throw new ServiceError(400, 'BadRequest', `Resource not found for the segment '${root ?? ''}'.`);
      }
    } catch (error) {
      // Graph words query errors with its own code rather than the generic one.
      if (error instanceof ODataQueryError) throw new ServiceError(400, 'BadRequest', error.message);
      throw error;
    }
  };

  return {
    id: 'graph',
    prefix: GRAPH_PREFIX,
    resource: core.baseUrl,
    codes: {
      unauthorized: 'InvalidAuthenticationToken',
      throttled: 'TooManyRequests',
      throttledMessage: 'Too many requests.',
      internal: 'generalException',
      unavailable: 'serviceNotAvailable',
      notFound: 'Request_ResourceNotFound',
      badRequest: 'BadRequest',
    },
    handle,
    reset,
    inbox: mail.inbox,
  };
}
