// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaFixture} from "./utils/ArenaFixture.sol";
import {TaskParams} from "../src/lib/TaskTypes.sol";
import {StakeManager} from "../src/StakeManager.sol";

contract EpochFlowTest is ArenaFixture {
    uint256 task;
    address[] trainers;
    address[] validators;

    function setUp() public override {
        super.setUp();
        task = createTask(defaultParams());
        trainers = addrs("trainer", 2);
        validators = addrs("validator", 2);
        joinTrainer(task, trainers[0], 100e18, 0.5e18);
        joinTrainer(task, trainers[1], 100e18, 0.5e18);
        joinValidator(task, validators[0], 100e18, 1e18);
        joinValidator(task, validators[1], 300e18, 1e18);
    }

    function test_fullEpoch_booksEverythingWithinBudget() public {
        submitAll(task, 0, trainers);
        uint256[][] memory scores = new uint256[][](2);
        scores[0] = new uint256[](2);
        scores[1] = new uint256[](2);
        (scores[0][0], scores[0][1]) = (9000, 5000);
        (scores[1][0], scores[1][1]) = (8000, 6000);
        scoreAll(task, 0, validators, scores);
        warpTo(task, 1, 0);
        (uint256 maxGas, uint256 calls) = finalizeEpoch(task);
        emit log_named_uint("finalize gas", maxGas);
        emit log_named_uint("calls", calls);

        // T = 200, S = 400: x = 1/3; factor = 0.7 - 0.4/3 = 0.5666..; R_T = 566.66..
        uint256 rT = 1000e18 * (0.7e18 - (0.4e18 * uint256(333333333333333333)) / 1e18) / 1e18;
        // aggregate: trainer0 = (100*0.9 + 300*0.8)/400 = 0.825 ; trainer1 = (100*.5+300*.6)/400 = 0.575
        // rank 1 trainer0, weights 1 and 0.85 with equal stakes -> shares 1/1.85 and 0.85/1.85
        uint256 p0 = rT * 1e18 / 1.85e18;
        assertApproxEqAbs(stakes.getPool(task, trainers[0]).ownRewards, p0, 1e6);
        assertApproxEqAbs(stakes.getPool(task, trainers[1]).ownRewards, rT - p0, 1e6);
        uint256 v = stakes.getPool(task, validators[0]).ownRewards + stakes.getPool(task, validators[1]).ownRewards;
        assertApproxEqAbs(v, 1000e18 - rT, 1e6);
        assertLe(
            v + stakes.getPool(task, trainers[0]).ownRewards + stakes.getPool(task, trainers[1]).ownRewards, 1000e18
        );
        assertEq(stakes.rolledEpochs(task), 2);

        // Validators claim at once; trainers must wait for vesting.
        uint256 v1 = stakes.getPool(task, validators[1]).ownRewards;
        assertGt(v1, 0);
        vm.prank(validators[1]);
        stakes.claimOwnRewards(task);
        assertEq(token.balanceOf(validators[1]), v1);
        assertEq(stakes.getPool(task, validators[1]).ownRewards, 0);
        uint256 vestsAt = uint256(registry.schedule(task).startTime) + 5 * 1000; // 5 epochs of 1000 s
        vm.prank(trainers[0]);
        vm.expectRevert(abi.encodeWithSelector(StakeManager.NotVested.selector, vestsAt));
        stakes.claimOwnRewards(task);
    }
}
