/** The rights a data subject can ask for; a leaf of the domain, named by the case and the plan alike. */
export const REQUEST_TYPES = ['access', 'rectify', 'restrict', 'delete', 'export'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const REQUEST_TYPE_LABELS: Record<RequestType, string> = {
  access: 'Access (a copy of their data)',
  rectify: 'Rectify (correct their data)',
  restrict: 'Restrict processing',
  delete: 'Delete (erasure)',
  export: 'Export (data portability)',
};
