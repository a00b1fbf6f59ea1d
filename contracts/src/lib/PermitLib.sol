// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {PermitSig} from "./TaskTypes.sol";

/// @title PermitLib
/// @notice Applies an EIP-2612 permit from the caller to this contract.
library PermitLib {
    /// @dev A permit that was front-run (its nonce already used) must not block the action: fall
    /// through, and the transferFrom that follows fails by itself if the allowance is missing.
    function tryPermit(address token, uint256 amount, PermitSig calldata sig) internal {
        try IERC20Permit(token).permit(msg.sender, address(this), amount, sig.deadline, sig.v, sig.r, sig.s) {} catch {}
    }
}
