// Names for anvil's ten dev accounts, so one person can play every role on a local chain and
// tell the accounts apart. #0 is the deployer (it created `npm start`'s demo task) and #9 runs
// the keeper (scripts/start.ts); the rest are roles by convention only: any account can do
// anything.
export const DEV_ACCOUNT_NAMES: readonly string[] = [
  'Creator',
  'Trainer A',
  'Trainer B',
  'Validator A',
  'Validator B',
  'Delegator A',
  'Delegator B',
  'Trainer C',
  'Validator C',
  'Keeper',
];

export function devAccountName(index: number): string {
  return DEV_ACCOUNT_NAMES[index] ?? `Dev account ${index}`;
}
