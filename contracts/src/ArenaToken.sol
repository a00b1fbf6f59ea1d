// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title ArenaToken
/// @notice The protocol's ERC-20 (18 decimals) with EIP-2612 permit, so a mobile wallet can
/// approve and stake with one signature and one transaction. On a local development chain it
/// has a faucet; on any other chain the faucet does not exist.
contract ArenaToken is ERC20Permit {
    /// @notice Most a faucet call may mint, so a runaway script cannot distort local tests.
    uint256 public constant FAUCET_LIMIT = 1_000_000e18;

    /// @notice Whether this deployment has a faucet (decided once, from the chain id).
    bool public immutable faucetEnabled;

    event FaucetDrip(address indexed to, uint256 amount);

    error FaucetDisabled();
    error FaucetLimit(uint256 limit);

    /// @param treasury receives the initial supply
    /// @param initialSupply tokens minted at deployment (wei)
    constructor(address treasury, uint256 initialSupply) ERC20("AIArena", "ARENA") ERC20Permit("AIArena") {
        faucetEnabled = isLocalChain(block.chainid);
        _mint(treasury, initialSupply);
    }

    /// @notice Mints test tokens on a local chain.
    function faucet(address to, uint256 amount) external {
        if (!faucetEnabled) revert FaucetDisabled();
        if (amount > FAUCET_LIMIT) revert FaucetLimit(FAUCET_LIMIT);
        _mint(to, amount);
        emit FaucetDrip(to, amount);
    }

    /// @notice Chain ids of local development chains (anvil / hardhat defaults).
    function isLocalChain(uint256 chainId) public pure returns (bool) {
        return chainId == 31337 || chainId == 1337;
    }
}
