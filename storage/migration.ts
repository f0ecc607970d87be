/** One numbered step of the PostgreSQL schema; its own module, so the lists of steps and their runner share it without a cycle. */
export interface Migration {
  version: number;
  name: string;
  /** `table` qualifies a table name with the store's schema. */
  statements(table: (name: string) => string): string[];
}
