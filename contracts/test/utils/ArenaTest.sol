// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "forge-std/Vm.sol";
import {ArenaFixture} from "./ArenaFixture.sol";
import {RewardEngine} from "../../src/RewardEngine.sol";
import {PermitSig, Role} from "../../src/lib/TaskTypes.sol";

/// @notice ArenaFixture plus the helpers the unit tests share: permits, hand-checkable expected
/// amounts (plain arithmetic, written from SPEC section 4 / docs/reward-math.md, not from the
/// contracts) and readers for the reward engine's events.
abstract contract ArenaTest is ArenaFixture {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    struct TrainerEv {
        address trainer;
        uint256 epoch;
        uint256 submissionId;
        uint256 rank;
        uint256 aggregate;
        uint256 pool;
        uint256 own;
    }

    struct ValidatorEv {
        address validator;
        uint256 epoch;
        uint256 distance;
        uint256 pool;
        uint256 own;
        bool failedCanary;
    }

    struct CanaryEv {
        uint256 epoch;
        uint256 submissionId;
        uint256 aggregate;
        uint256 agreeingStake;
        bool valid;
    }

    // ------------------------------------------------------------------ permits

    function signPermit(uint256 pk, address spender, uint256 value, uint256 deadline)
        internal
        view
        returns (PermitSig memory sig)
    {
        address owner = vm.addr(pk);
        bytes32 structHash =
            keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, token.nonces(owner), deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (sig.v, sig.r, sig.s) = vm.sign(pk, digest);
        sig.deadline = deadline;
    }

    // ------------------------------------------------------------------ expected math

    /// @notice R_T of SPEC 4.1 as docs/reward-math.md step 1 fixes the rounding.
    function expectedRT(uint256 r, uint256 t, uint256 s, uint256 gamma) internal pure returns (uint256) {
        uint256 x = (t * 1e18) / (t + s);
        int256 c = 1e18 - 2 * int256(gamma);
        int256 term = (c * int256(x)) / 1e18; // Solidity's signed division truncates toward zero
        uint256 factor = uint256(int256(gamma) + term);
        return (r * factor) / 1e18;
    }

    /// @notice amount * (sigma + (1 - sigma) own/total), one floor.
    function expectedOwn(uint256 amount, uint256 sigma, uint256 own, uint256 total) internal pure returns (uint256) {
        return (amount * (sigma * total + (1e18 - sigma) * own)) / (1e18 * total);
    }

    // ------------------------------------------------------------------ small builders

    function one(address a) internal pure returns (address[] memory out) {
        out = new address[](1);
        out[0] = a;
    }

    function two(address a, address b) internal pure returns (address[] memory out) {
        out = new address[](2);
        (out[0], out[1]) = (a, b);
    }

    function row(uint256 a) internal pure returns (uint256[] memory out) {
        out = new uint256[](1);
        out[0] = a;
    }

    function row(uint256 a, uint256 b) internal pure returns (uint256[] memory out) {
        out = new uint256[](2);
        (out[0], out[1]) = (a, b);
    }

    function rows(uint256[] memory a) internal pure returns (uint256[][] memory out) {
        out = new uint256[][](1);
        out[0] = a;
    }

    function rows(uint256[] memory a, uint256[] memory b) internal pure returns (uint256[][] memory out) {
        out = new uint256[][](2);
        (out[0], out[1]) = (a, b);
    }

    /// @notice Seals in the seal window and reveals in the reveal window, one trainer.
    function submitOne(uint256 taskId, uint256 epoch, address trainer, bytes32 artifact, bytes32 salt) internal {
        warpTo(taskId, epoch, 100);
        vm.prank(trainer);
        book.sealSubmission(taskId, sealHash(taskId, epoch, trainer, artifact, bytes32("wm"), salt));
        warpTo(taskId, epoch, 5500);
        vm.prank(trainer);
        book.revealSubmission(taskId, artifact, artifact, bytes32("wm"), seeded(), salt);
    }

    /// @notice Finalizes every epoch that is over and not yet finalized.
    function finalizeAllOver(uint256 taskId) internal {
        while (true) {
            RewardEngine.Progress memory p = engine.progressOf(taskId);
            uint256 scoring = registry.schedule(taskId).submissionEpochs + registry.schedule(taskId).finalEpochs;
            if (p.epoch >= scoring) return;
            uint256 endsAt =
                registry.schedule(taskId).startTime + (uint256(p.epoch) + 1) * registry.schedule(taskId).epochLength;
            if (block.timestamp < endsAt) return;
            finalizeEpoch(taskId);
        }
    }

    // ------------------------------------------------------------------ event readers

    function trainerEvents(Vm.Log[] memory logs) internal view returns (TrainerEv[] memory out) {
        bytes32 sig = RewardEngine.TrainerRewarded.selector;
        uint256 count;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(engine) && logs[i].topics[0] == sig) ++count;
        }
        out = new TrainerEv[](count);
        uint256 k;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != sig) continue;
            TrainerEv memory e = out[k++];
            e.epoch = uint256(logs[i].topics[2]);
            e.trainer = address(uint160(uint256(logs[i].topics[3])));
            (e.submissionId, e.rank, e.aggregate, e.pool, e.own) =
                abi.decode(logs[i].data, (uint256, uint256, uint256, uint256, uint256));
        }
    }

    function validatorEvents(Vm.Log[] memory logs) internal view returns (ValidatorEv[] memory out) {
        bytes32 sig = RewardEngine.ValidatorRewarded.selector;
        uint256 count;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(engine) && logs[i].topics[0] == sig) ++count;
        }
        out = new ValidatorEv[](count);
        uint256 k;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != sig) continue;
            ValidatorEv memory e = out[k++];
            e.epoch = uint256(logs[i].topics[2]);
            e.validator = address(uint160(uint256(logs[i].topics[3])));
            (e.distance, e.pool, e.own, e.failedCanary) = abi.decode(logs[i].data, (uint256, uint256, uint256, bool));
        }
    }

    function canaryEvents(Vm.Log[] memory logs) internal view returns (CanaryEv[] memory out) {
        bytes32 sig = RewardEngine.CanaryChecked.selector;
        out = new CanaryEv[](countEvents(logs, address(engine), sig));
        uint256 k;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(engine) || logs[i].topics[0] != sig) continue;
            CanaryEv memory e = out[k++];
            e.epoch = uint256(logs[i].topics[2]);
            e.submissionId = uint256(logs[i].topics[3]);
            (e.aggregate, e.agreeingStake, e.valid) = abi.decode(logs[i].data, (uint256, uint256, bool));
        }
    }

    function countEvents(Vm.Log[] memory logs, address emitter, bytes32 sig) internal pure returns (uint256 count) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == emitter && logs[i].topics.length > 0 && logs[i].topics[0] == sig) ++count;
        }
    }

    function findTrainer(TrainerEv[] memory evs, address trainer) internal pure returns (TrainerEv memory e) {
        for (uint256 i; i < evs.length; ++i) {
            if (evs[i].trainer == trainer) return evs[i];
        }
        revert("trainer event missing");
    }

    function findValidator(ValidatorEv[] memory evs, address validator) internal pure returns (ValidatorEv memory e) {
        for (uint256 i; i < evs.length; ++i) {
            if (evs[i].validator == validator) return evs[i];
        }
        revert("validator event missing");
    }

    function ownRewards(uint256 taskId, address a) internal view returns (uint256) {
        return stakes.getPool(taskId, a).ownRewards;
    }

    function delegatorRewards(uint256 taskId, address a) internal view returns (uint256) {
        return stakes.getPool(taskId, a).delegatorRewards;
    }
}
