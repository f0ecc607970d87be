/** The walkthrough's people, as Teams identifies them. */
export const alex = { id: '29:alex', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000001', name: 'Alex Wilber' };
export const megan = { id: '29:megan', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000002', name: 'Megan Bowen' };
export const adele = { id: '29:adele', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000003', name: 'Adele Vance' };
export const isaiah = { id: '29:isaiah', aadObjectId: 'a1e7c0de-0000-4000-8000-000000000004', name: 'Isaiah Langer' };

export type TeamsUser = typeof alex;
export const PRIVACY_TEAM_IDS = [megan.aadObjectId, adele.aadObjectId];
