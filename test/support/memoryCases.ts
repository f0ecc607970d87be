import type { AuditHead } from '../../dsr/audit.js';
import type { DsrCase } from '../../dsr/case.js';
import { isOpen } from '../../dsr/case.js';
import type { CaseQuery, CaseStore, KeyValueStore } from '../../dsr/ports/store.js';

/** Cases and conversation state in memory, for scheduler tests and benchmarks below the case service. */
export class MemoryCases implements Pick<CaseStore, 'getCase' | 'listCases' | 'openCasePages' | 'state' | 'auditHead'> {
  readonly cases = new Map<string, DsrCase>();
  /** The audit trail's head the digest shows. */
  head: AuditHead = { seq: 42, hash: `ab12cd34${'0'.repeat(56)}` };

  auditHead(): Promise<AuditHead> {
    return Promise.resolve(this.head);
  }

  private readonly kv = new Map<string, unknown>();

  readonly state: KeyValueStore = {
    read: (keys) =>
      Promise.resolve(
        Object.fromEntries(
          keys.filter((k) => this.kv.has(k)).map((k) => [k, { value: structuredClone(this.kv.get(k)), eTag: '*' }]),
        ),
      ),
    write: (entries) => {
      for (const [key, entry] of Object.entries(entries)) this.kv.set(key, structuredClone(entry.value));
      return Promise.resolve();
    },
    delete: (keys) => {
      for (const key of keys) this.kv.delete(key);
      return Promise.resolve();
    },
  };

  add(dsrCase: DsrCase): void {
    this.cases.set(dsrCase.id, dsrCase);
  }

  getCase(id: string): Promise<DsrCase | undefined> {
    return Promise.resolve(this.cases.get(id));
  }

  listCases(query: CaseQuery): Promise<DsrCase[]> {
    return Promise.resolve([...this.cases.values()].filter((c) => !query.openOnly || isOpen(c)));
  }

  /** The open cases as listed, in pages, so a test that holds back the list holds back the pages. */
  async *openCasePages(pageSize: number): AsyncIterable<DsrCase[]> {
    const open = await this.listCases({ openOnly: true });
    for (let start = 0; start < open.length; start += pageSize) yield open.slice(start, start + pageSize);
  }
}
