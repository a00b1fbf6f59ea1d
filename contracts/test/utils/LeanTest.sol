// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TestBase} from "forge-std/Base.sol";
import {StdAssertions} from "forge-std/StdAssertions.sol";
import {StdChains} from "forge-std/StdChains.sol";
import {StdCheats} from "forge-std/StdCheats.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {StdUtils} from "forge-std/StdUtils.sol";

/// @notice forge-std's `Test` without the modules that pull in `safeconsole.sol` (430 kB),
/// `StdJson`, `StdToml`, `StdStyle`. The npm solc-js behind scripts/bin/solc receives the whole
/// standard-JSON input as one string on its wasm stack, which overflows ("memory access out of
/// bounds") once all sources of a build exceed about 1.3 MB; forge-std's full `Test` alone is a
/// third of that. Same contract shape and behaviour as forge-std's `Test` otherwise.
abstract contract Test is TestBase, StdAssertions, StdChains, StdCheats, StdInvariant, StdUtils {
    // Note: IS_TEST() must return true.
    bool public IS_TEST = true;
}
