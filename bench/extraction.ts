import {
  FIELDS,
  extractCorpusMessage,
  f1,
  loadCorpus,
  score,
  type Counts,
  type CorpusMessage,
} from './extractionCorpus.js';

const LANGUAGES = ['en', 'de', 'fr', 'es'];

function add(into: Counts, from: Counts): void {
  into.tp += from.tp;
  into.fp += from.fp;
  into.fn += from.fn;
}

function pct(value: number): string {
  return value.toFixed(2).padStart(5);
}

/**
 * Precision and recall of the intake extraction per field and language on the labelled corpus, and
 * how many non-requests are recognised; the held-out messages are reported apart from those the rules
 * were developed on.
 */
export function extractionQuality(verbose = process.env.BENCH_VERBOSE === '1'): void {
  const corpus = loadCorpus();
  for (const split of ['all', 'dev', 'heldout'] as const) {
    const messages = corpus.filter((m) => split === 'all' || m.split === split);
    const requests = messages.filter((m) => m.labels.isRequest);
    const nonRequests = messages.filter((m) => !m.labels.isRequest);
    console.log(`\nextraction (${split}): ${requests.length} requests, ${nonRequests.length} non-requests`);
    console.log(
      `${'field'.padEnd(16)}${[...LANGUAGES, 'all'].map((l) => `${l.padStart(6)} P     R    F1`.padEnd(20)).join('')}`,
    );
    for (const field of FIELDS) {
      let row = field.padEnd(16);
      for (const language of [...LANGUAGES, 'all']) {
        const counts: Counts = { tp: 0, fp: 0, fn: 0 };
        for (const message of requests.filter((m) => language === 'all' || m.group === language)) {
          add(counts, score(extractCorpusMessage(message), message.labels, field));
        }
        const { precision, recall, f1: f } = f1(counts);
        row +=
          counts.tp + counts.fp + counts.fn === 0
            ? '     -    -    -'.padEnd(20)
            : `  ${pct(precision)} ${pct(recall)} ${pct(f)}`.padEnd(20);
      }
      console.log(row);
    }
    const detected = requests.filter((m) => extractCorpusMessage(m).isRequest).length;
    const recognised = nonRequests.filter((m) => !extractCorpusMessage(m).isRequest).length;
    console.log(`requests recognised as requests: ${detected}/${requests.length}`);
    console.log(`non-requests recognised: ${recognised}/${nonRequests.length}`);
  }
  if (verbose) printMisses(corpus);
}

function printMisses(corpus: CorpusMessage[]): void {
  for (const message of corpus) {
    const extraction = extractCorpusMessage(message);
    const misses = FIELDS.map((field) => [field, score(extraction, message.labels, field)] as const).filter(
      ([, c]) => c.fp + c.fn > 0 && message.labels.isRequest,
    );
    if (extraction.isRequest !== message.labels.isRequest)
      console.log(`${message.id}: isRequest ${extraction.isRequest} (${extraction.notRequestReason})`);
    for (const [field] of misses) {
      const got =
        field === 'rights'
          ? extraction.rights.map((r) => `${r.value}<${r.excerpt}>`)
          : field === 'emails'
            ? extraction.emails.map((e) => `${e.value}/${e.source}`)
            : field === 'name'
              ? extraction.name?.value
              : field === 'language'
                ? extraction.language.detected
                : field === 'phone'
                  ? extraction.phones.map((p) => p.value)
                  : field === 'regulations'
                    ? extraction.regulations.map((r) => r.value)
                    : extraction[`${field}s` as 'customerNumbers'].map((n) => n.value);
      console.log(`${message.id}: ${field} got ${JSON.stringify(got)} want ${JSON.stringify(message.labels[field])}`);
    }
  }
}
