import type { RequestType } from './requestTypes.js';

/**
 * Where the guide has the team hand the person a copy made by hand, the step that makes it is
 * marked done only with a link to the evidence (the export kept in the team's SharePoint or
 * OneDrive, or the storage location it was delivered to), so the response can show what was given.
 * Each rule names the guide's section it comes from ("Dynamics 365 Data Subject Requests for the GDPR").
 */
export interface EvidenceRule {
  /** The guide's part and section that asks for the export. */
  guideSection: string;
}

/** The system whose logs Microsoft exports through the Service Trust Portal. */
const LOGS = 'logs';

const RULES: Partial<Record<RequestType, EvidenceRule>> = {
  // Part 1: "Customer data can be exported to a static Excel file" to give the person a copy.
  access: { guideSection: 'Part 1, Providing a copy of customer data' },
  // Part 1: export "to a static Excel file … save as a commonly used, machine-readable format such as .csv or .xml".
  export: { guideSection: 'Part 1, Exporting customer data' },
};

/**
 * Part 2: the Data Log Export is "exported to your organization's Azure storage location within 30
 * days", in "JSON or XML": the link to that export is the evidence.
 */
const LOG_EXPORT: EvidenceRule = { guideSection: 'Part 2, Accessing and exporting system-generated logs' };

/** The evidence a guided step of this right in this system needs, or undefined when a note is enough. */
export function evidenceRuleFor(right: RequestType, systemId: string): EvidenceRule | undefined {
  if (systemId === LOGS) return right === 'access' || right === 'export' ? LOG_EXPORT : undefined;
  return RULES[right];
}

/** Evidence is given as an https address: a link to the file in the team's store or to the delivered export. */
export function isEvidenceLink(text: string): boolean {
  if (!/^https:\/\/\S+$/.test(text)) return false;
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}
