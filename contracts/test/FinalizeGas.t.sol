// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ArenaFixture} from "./utils/ArenaFixture.sol";
import {TaskParams} from "../src/lib/TaskTypes.sol";
import {RewardEngine} from "../src/RewardEngine.sol";

/// @notice No finalization call may need more than 15,000,000 gas (EIP-7825 caps a transaction
/// at 16,777,216), up to the largest task the protocol admits: 256 trainers x 512 validators with
/// 16 canaries; nor may drawing a seed or committing and revealing canaries over 256 columns.
contract FinalizeGasTest is ArenaFixture {
    uint256 internal constant TX_GAS_CAP = 15_000_000;

    function _run(uint256 n, uint256 m, bool powers, uint256 epochs, uint256 canaries)
        internal
        returns (uint256 maxGas)
    {
        TaskParams memory p = defaultParams();
        if (powers) (p.reward.alphaT, p.reward.alphaV) = (0.5e18, 0.7e18);
        // Revision 2's rules on: a tolerance some validators miss, the floor, three validators.
        (p.reward.tolV, p.reward.floorBps, p.reward.minValidators) = (0.3e18, 5000, 3);
        uint256 task = createTask(p);
        for (uint256 e; e < epochs; ++e) {
            commitCanaryKey(task, e, keccak256(abi.encode("canaries", e)));
        }
        address[] memory trainers = addrs("t", n);
        address[] memory validators = addrs("v", m);
        for (uint256 i; i < n; ++i) {
            joinTrainer(task, trainers[i], 10e18 + i * 1e18, 0.3e18);
        }
        for (uint256 j; j < m; ++j) {
            joinValidator(task, validators[j], 10e18 + j * 1e17, 0.6e18);
            if (j % 3 == 0) delegateTo(task, makeAddr(string.concat("d", vm.toString(j))), validators[j], 5e18);
        }
        uint256[][] memory scores = new uint256[][](m);
        for (uint256 j; j < m; ++j) {
            scores[j] = new uint256[](n);
            for (uint256 i; i < n; ++i) {
                scores[j][i] = uint256(keccak256(abi.encode(i, j))) % 10_001;
            }
        }
        for (uint256 e; e < epochs; ++e) {
            bytes32 key = keccak256(abi.encode("canaries", e));
            submitAllWithCanaries(task, e, trainers, canaries, key);
            scoreAll(task, e, validators, scores);
            vm.prank(creator);
            assertEq(book.revealCanaries(task, key), (1 << canaries) - 1);
            warpTo(task, e + 1, 0);
            bool done;
            uint256 calls;
            while (!done) {
                RewardEngine.Progress memory before = engine.progressOf(task);
                uint256 g = gasleft();
                (, done) = engine.finalize(task);
                g -= gasleft();
                RewardEngine.Progress memory afterP = engine.progressOf(task);
                emit log_named_uint(
                    string.concat(
                        "call ",
                        vm.toString(calls),
                        " stage ",
                        vm.toString(uint256(before.stage)),
                        "->",
                        vm.toString(uint256(afterP.stage)),
                        " cursor ",
                        vm.toString(uint256(before.cursor)),
                        "->",
                        vm.toString(uint256(afterP.cursor))
                    ),
                    g
                );
                if (g > maxGas) maxGas = g;
                ++calls;
            }
        }
        assertLt(maxGas, TX_GAS_CAP);
    }

    function test_gas_256x512() public {
        _run(256, 512, false, 2, 16);
    }

    function test_gas_256x512_powers() public {
        _run(256, 512, true, 1, 16);
    }

    function test_gas_64x128() public {
        _run(64, 128, false, 1, 4);
    }

    /// @notice drawEvalSeed, commitCanaries and revealCanaries (the scan of every column) with
    /// 256 columns of which 16 are canaries, each call its own transaction under --isolate.
    function test_gas_seedAndCanaries_256columns() public {
        uint256 task = createTask(defaultParams());
        address[] memory trainers = addrs("t", 256);
        for (uint256 i; i < 256; ++i) {
            joinTrainer(task, trainers[i], 10e18, 0);
        }
        bytes32 key = keccak256("canaries");
        vm.prank(creator);
        uint256 g = gasleft();
        book.commitCanaries(task, 0, keccak256(abi.encode(key)));
        g -= gasleft();
        emit log_named_uint("commitCanaries gas", g);
        assertLt(g, TX_GAS_CAP);
        submitAllWithCanaries(task, 0, trainers, 16, key);
        warpTo(task, 0, 6000);
        address drawer = makeAddr("drawer");
        vm.prank(drawer, drawer);
        g = gasleft();
        book.drawEvalSeed(task);
        g -= gasleft();
        emit log_named_uint("drawEvalSeed gas (first, draws)", g);
        assertLt(g, TX_GAS_CAP);
        vm.prank(drawer, drawer);
        g = gasleft();
        book.drawEvalSeed(task);
        g -= gasleft();
        emit log_named_uint("drawEvalSeed gas (later, returns the stored seed)", g);
        warpTo(task, 0, 8600);
        vm.prank(creator);
        g = gasleft();
        uint256 mask = book.revealCanaries(task, key);
        g -= gasleft();
        emit log_named_uint("revealCanaries gas (256 columns, 16 canaries)", g);
        assertEq(mask, (1 << 16) - 1);
        assertLt(g, TX_GAS_CAP);
    }
}
