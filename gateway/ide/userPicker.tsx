import './userPicker.css';

/** A demo user the gateway wrote into the page (see gateway/src/ide/demoUsers.ts). */
export interface DemoUser {
  user: string;
  name: string;
  roles: string[];
  token: string;
}

export const ANONYMOUS = '';
const STORAGE_KEY = 'potluck:ide:user';

/** The user picked last time in this browser, else the first demo user, so the examples that change data run as they open. */
export function initialUser(users: DemoUser[]): string {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === ANONYMOUS || users.some(({ user }) => user === saved)) return saved!;
  return users[0]?.user ?? ANONYMOUS;
}

interface UserPickerProps {
  users: DemoUser[];
  value: string;
  onChange(user: string): void;
}

/** "Signed in as": anonymous or one of the demo users; the choice is kept in this browser (the id, never the token). */
export function UserPicker({ users, value, onChange }: UserPickerProps) {
  return (
    <label
      className="potluck-user-picker"
      title="Every request carries Authorization: Bearer <this user's token>. An Authorization header in the Headers tab wins."
    >
      Signed in as
      <select
        value={value}
        onChange={(event) => {
          localStorage.setItem(STORAGE_KEY, event.target.value);
          onChange(event.target.value);
        }}
      >
        <option value={ANONYMOUS}>Anonymous</option>
        {users.map(({ user, name }) => (
          <option key={user} value={user}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
