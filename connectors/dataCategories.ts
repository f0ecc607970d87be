/**
 * The categories of personal data each record kind holds, for the package's "Data categories"
 * (GDPR Art. 15(1)(b): the categories of personal data concerned). Chosen from what each entity
 * holds as its published description says: the CDM entity descriptions (Contact: "person with whom
 * a business unit has a relationship"; Lead: "prospect or potential sales opportunity"; Activity,
 * ActivityParty: "person or group associated with an activity"; Annotation: "note that is attached
 * to one or more objects"), the Business Central API v2.0 pages (customers, vendors, contacts,
 * employees, salesInvoices), the Finance and Operations data entities (CustomersV3, VendorsV2,
 * Workers), Graph's user resource type, and the guide's list of where personal data sits in each
 * system; each system's file lists its kinds. The words for each category are in `locales/<language>/package.json`.
 */
export const DATA_CATEGORIES = [
  'identity',
  'contactDetails',
  'marketingPreferences',
  'communications',
  'notes',
  'marketingInteractions',
  'businessRelationship',
  'financial',
  'employment',
  'userAccount',
  'other',
] as const;
export type DataCategory = (typeof DATA_CATEGORIES)[number];

/**
 * The categories of one kind, from the kinds every system's file describes (`connectors/systems/`);
 * an organisation's own kinds, which no description covers, read "other".
 */
export function categoriesOf(kind: string, known: Readonly<Record<string, readonly DataCategory[]>>): DataCategory[] {
  return [...(known[kind] ?? ['other'])];
}
