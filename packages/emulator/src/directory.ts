/** A portal user (bots are users too). */
export interface UserRec {
  id: number;
  name: string;
  firstName: string;
  lastName: string;
  workPosition: string;
  gender: 'M' | 'F';
  isBot: boolean;
  /** May manage app settings (`user.admin`, `profile` ADMIN); portal administrators install apps. */
  admin: boolean;
}

/** The users of a portal. User 1 "John Smith" (the admin who installs apps) always exists; others are not admins unless added so. */
export class Directory {
  readonly #users = new Map<number, UserRec>();
  #next = 1;

  constructor() {
    this.add({ name: 'John Smith', workPosition: 'Administrator', admin: true });
  }

  /** Adds a user (or a bot user) and returns its id. */
  add(u: { name: string; lastName?: string; workPosition?: string; gender?: 'M' | 'F'; isBot?: boolean; admin?: boolean }): number {
    const id = this.#next++;
    const [head = '', ...rest] = u.name.trim().split(/\s+/);
    const first = u.lastName === undefined ? head : u.name.trim();
    const lastName = u.lastName ?? rest.join(' ');
    const name = [first, lastName].filter((s) => s !== '').join(' ');
    this.#users.set(id, {
      id, name, firstName: first, lastName, workPosition: u.workPosition ?? '',
      gender: u.gender ?? 'M', isBot: u.isBot ?? false, admin: u.admin ?? false,
    });
    return id;
  }

  get(id: number): UserRec | undefined {
    return this.#users.get(id);
  }

  /** Every user (bots included), by id. */
  all(): UserRec[] {
    return [...this.#users.values()];
  }

  /** Updates a bot user's profile after `Bot.update` / `imbot.update`. */
  rename(id: number, first: string, last: string, workPosition?: string): void {
    const u = this.#users.get(id);
    if (!u) return;
    u.firstName = first;
    u.lastName = last;
    u.name = [first, last].filter((s) => s !== '').join(' ');
    if (workPosition !== undefined) u.workPosition = workPosition;
  }

  /** Removes a user (an unregistered bot). */
  remove(id: number): void {
    this.#users.delete(id);
  }
}
