import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The processing register: what the organisation does with personal data in each system, in every
 * language its letters are written in. The access response takes the information GDPR Art. 15(1)
 * lists from here (purposes, categories, recipients, retention, source, automated decisions), and
 * the erasure response takes why and until when records are kept.
 */
const localised = z.record(z.string().regex(/^[a-z]{2}$/, 'a two-letter language code'), z.string().min(1));
export type Localised = z.infer<typeof localised>;

const systemEntry = z.object({
  purposes: localised,
  categories: localised,
  recipients: localised,
  retention: localised,
  source: localised,
  automatedDecisions: localised,
});
export type ProcessingEntry = z.infer<typeof systemEntry>;

export const processingRegisterSchema = z.object({
  controller: z.object({ name: z.string().min(1), address: z.string().min(1), email: z.email() }),
  dataProtectionOfficer: z.object({ email: z.email() }).optional(),
  supervisoryAuthority: z.object({ name: z.string().min(1), url: z.url() }),
  systems: z.record(z.string(), systemEntry),
});
export type ProcessingRegister = z.infer<typeof processingRegisterSchema>;

export class RegisterError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`The processing register ${file} is not usable:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RegisterError';
  }
}

/** Every text of the register present in each language; the message names the path and the language missing. */
export function registerGaps(register: ProcessingRegister, languages: readonly string[]): string[] {
  const gaps: string[] = [];
  for (const [systemId, entry] of Object.entries(register.systems)) {
    for (const [field, texts] of Object.entries(entry)) {
      const missing = languages.filter((language) => !(language in texts));
      if (missing.length > 0) gaps.push(`systems.${systemId}.${field}: no text in ${missing.join(', ')}`);
    }
  }
  return gaps;
}

/** Reads and checks the register; anything missing, malformed or lacking a language stops with the file and the gap. */
export function loadProcessingRegister(file: string, languages: readonly string[]): ProcessingRegister {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : 'it is not valid JSON';
    throw new RegisterError(file, [reason]);
  }
  const parsed = processingRegisterSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RegisterError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`),
    );
  }
  const gaps = registerGaps(parsed.data, languages);
  if (gaps.length > 0) throw new RegisterError(file, gaps);
  return parsed.data;
}

/** The sample register shipped with the project, for the guide's systems; what a local run uses. */
export function exampleRegisterPath(): string {
  const candidates = ['../../../processing.example.json', '../../processing.example.json'].map((relative) =>
    fileURLToPath(new URL(relative, import.meta.url)),
  );
  return candidates.find((file) => existsSync(file)) ?? candidates[0]!;
}
