/** Who a person reports to, for escalating late cases; ids are Entra object ids. */
export interface ManagerDirectory {
  managerOf(userId: string): Promise<string | undefined>;
}
