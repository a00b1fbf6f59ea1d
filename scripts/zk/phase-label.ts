// What an imported phase 2 is worth: the manifest's `development` flag and the description that
// goes on chain in the verifier's ceremony(). Pure, so the rule is tested without a ceremony.

export interface ImportedKeyFacts {
  /** The zkey's file name (it goes on chain). */
  zkeyName: string;
  /** Contributions with private randomness. */
  contributions: number;
  /** Public beacons. */
  beacons: number;
  /** The ptau file the key was verified against. */
  ptauFile: string;
  /** The project's own development ptau this file is (by sha256), or null for any other file. */
  developmentPtau: string | null;
  /** A test's explicit claim that the development ptau stands in for a public ceremony's. */
  standInPublicPtau: boolean;
}

/**
 * Whoever knows phase 1's tau (with alpha and beta) can compute [1/delta] from the key's
 * [t(tau)/delta] points and forge Groth16 proofs whatever phase 2 did, so a key set up on the
 * project's one-party development ptau stays a development key, refused on public chains, unless
 * a test explicitly lets it stand in for a public ceremony.
 */
export function importedCeremony(k: ImportedKeyFacts): { development: boolean; description: string } {
  const parts = `${k.contributions} contribution${k.contributions === 1 ? '' : 's'}${k.beacons > 0 ? ` and ${k.beacons} beacon${k.beacons === 1 ? '' : 's'}` : ''}`;
  const phase1 =
    k.developmentPtau === null
      ? ''
      : k.standInPublicPtau
        ? `; phase 1 is the development ${k.developmentPtau} standing in for a public ceremony (tests only)`
        : `; phase 1 is the development ${k.developmentPtau} (one party), NOT a public ceremony`;
  return {
    development: k.developmentPtau !== null && !k.standInPublicPtau,
    description: `imported phase 2 ${k.zkeyName}: ${parts}, verified against this circuit and ${k.ptauFile}${phase1}`,
  };
}
