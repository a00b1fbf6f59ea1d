// The contracts' Role enum (TaskTypes.sol) in one place: its names in enum order, its numbers,
// and the lowercase names the actions and pages use. Everything else derives from CHAIN_ROLES.
export const CHAIN_ROLES = ['None', 'Trainer', 'Validator'] as const;
export type ChainRole = (typeof CHAIN_ROLES)[number];

/** The enum's values by name: each one's index in CHAIN_ROLES. */
export const Role = { Trainer: 1, Validator: 2 } as const satisfies { [R in Exclude<ChainRole, 'None'>]: number };

export type RoleName = 'trainer' | 'validator';

/** The enum value of a role, 'None' for anything outside the enum (a newer contract's role). */
export const chainRoleOf = (value: number | bigint): ChainRole => CHAIN_ROLES[Number(value)] ?? 'None';

export const roleNumber = (role: RoleName): number => (role === 'trainer' ? Role.Trainer : Role.Validator);

export const roleName = (value: number | bigint): RoleName | undefined => {
  const r = chainRoleOf(value);
  return r === 'None' ? undefined : r === 'Trainer' ? 'trainer' : 'validator';
};
