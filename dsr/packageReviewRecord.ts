/**
 * What the review of an access package records on a case: exclusions, redactions, approval and
 * release. Apart from the review's rules (packageReview.ts), so the case can name it without a cycle.
 */

/**
 * Why a record may be withheld from the copy the data subject receives. GDPR Art. 15(4): the right
 * to a copy "shall not adversely affect the rights and freedoms of others"; recital 63 names trade
 * secrets and intellectual property among them; legal professional privilege is kept by Member
 * State law under Art. 23(1)(i) (for example § 29(1) BDSG in Germany). The letter names the grounds,
 * never the records.
 */
export const EXCLUSION_GROUNDS = ['rights-of-others', 'legal-privilege', 'trade-secrets'] as const;
export type ExclusionGround = (typeof EXCLUSION_GROUNDS)[number];

export const EXCLUSION_GROUND_LABELS: Record<ExclusionGround, string> = {
  'rights-of-others': 'The rights and freedoms of others (GDPR Art. 15(4))',
  'legal-privilege': 'Legal privilege',
  'trade-secrets': 'Trade secrets (GDPR recital 63)',
};

export const REVIEW_NOTE_MAX_LENGTH = 500;
/** A redacted passage is a name or a sentence, never a whole document. */
export const REDACTION_TEXT_MAX_LENGTH = 500;
/** What the subject sees in place of a redacted passage or value. */
export const REDACTION_MARK = '[redacted]';

/** A record of the reviewed snapshot: `<system>/<kind>/<position>`, stable because the snapshot never changes. */
export type ReviewRecordId = string;

export interface ReviewExclusion {
  recordId: ReviewRecordId;
  ground: ExclusionGround;
  note: string;
  at: string;
  byId: string;
}

export interface ReviewRedaction {
  recordId: ReviewRecordId;
  field: string;
  /** The passage replaced; null replaces the field's whole value. */
  text: string | null;
  at: string;
  byId: string;
}

/** The package as released to the subject, and the one link that opens it. */
export interface PackageRelease {
  at: string;
  byId: string;
  packageId: string;
  records: number;
  bytes: number;
  /** The unguessable part of the subject's link (256 random bits); purged with the case. */
  token: string;
  expiresAt: string;
  revokedAt?: string;
  revokedById?: string;
}

/**
 * The review of what the data subject receives: built on a frozen snapshot of the package, with
 * the records withheld and the passages redacted. Another officer approves exactly this set (by
 * its hash); only then can it be released.
 */
export interface PackageReview {
  snapshotId: string;
  builtAt: string;
  /** How many records the snapshot holds, so the card and the letter need not read it. */
  records: number;
  exclusions: ReviewExclusion[];
  redactions: ReviewRedaction[];
  /** Everyone who changed the review or declared it done: none of them may approve it. */
  reviewerIds: string[];
  submitted?: { at: string; byId: string; hash: string };
  approval?: { at: string; byId: string; hash: string };
  release?: PackageRelease;
}
