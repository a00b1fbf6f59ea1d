// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "./utils/LeanTest.sol";
import {ChallengeBase} from "./utils/ChallengeBase.sol";
import {ArenaToken} from "../src/ArenaToken.sol";
import {StakeManager} from "../src/StakeManager.sol";
import {ChallengeModule} from "../src/ChallengeModule.sol";
import {Challenge, ChallengeStatus, Tally, Vote, Verdict} from "../src/interfaces/IChallengeModule.sol";
import {ChallengeParams} from "../src/lib/TaskTypes.sol";
import {ChallengeProofs as P} from "./fixtures/challenge/ChallengeProofs.sol";

/// @notice Every outcome of a challenge, with random bonds, slashes, jury shares, juror stakes
/// and ballots: each party is paid exactly what docs/contracts.md says, and tokens only move.
contract ChallengeOutcomeFuzzTest is ChallengeBase {
    struct Run {
        uint256 bond;
        uint256 slash;
        uint256 juryBps;
        uint256 yes;
        uint256 no;
        uint256 id;
        uint256 sumBefore;
    }

    address[4] internal jurors;
    uint256[4] internal weights;

    /// @param outcome 0: the proof is missing; 1: the disclosure is missing; 2: no dispute;
    /// 3: a dispute and a vote
    /// @param ballots per juror (mod 4): 0 abstains, 1 commits and never reveals, 2 "replays",
    /// 3 "does not replay"
    function testFuzz_outcomesPayExactlyAndConserveTokens(
        uint128 bond,
        uint16 slashBps,
        uint16 juryBps,
        uint8 outcome,
        uint96[4] memory jurorStakes,
        uint8[4] memory ballots,
        uint32 segment
    ) public {
        Run memory r;
        r.bond = bound(bond, 1e18, 1_000_000e18);
        slashBps = uint16(bound(slashBps, 0, 10_000));
        r.juryBps = bound(juryBps, 0, 10_000);
        outcome = uint8(bound(outcome, 0, 3));
        taskId = newTask(challengeParams(uint128(r.bond), RESPONSE, slashBps, uint16(r.juryBps)));
        joinWithKey(taskId, alice, P.KA);
        joinChallenger(taskId, val1, r.bond);
        for (uint256 i; i < 4; ++i) {
            jurors[i] = makeAddr(string.concat("juror", vm.toString(i)));
            weights[i] = bound(jurorStakes[i], 10e18, 1e24);
            joinValidator(taskId, jurors[i], weights[i], 0);
        }
        submitEpoch(taskId, 0, one(alice), wms(P.WM_A0));
        r.slash = (STAKE * slashBps) / 10_000;
        r.sumBefore = _holdings();
        uint256 aliceBefore = token.balanceOf(alice);
        uint256 stakesBefore = token.balanceOf(address(stakes));

        r.id = open(val1, 0);
        assertEq(token.balanceOf(address(module)), r.bond);
        if (outcome == 0) discloseIt(r.id);
        else if (outcome == 1) prove(r.id, P.aliceA0());
        else answer(r.id, P.aliceA0());

        if (outcome < 2) {
            vm.warp(module.getChallenge(r.id).deadline + 1);
            module.resolve(r.id);
            assertEq(uint256(statusOf(r.id)), uint256(ChallengeStatus.Upheld));
            assertEq(token.balanceOf(val1), r.bond + r.slash);
            assertEq(token.balanceOf(alice), aliceBefore);
        } else if (outcome == 2) {
            vm.warp(module.getChallenge(r.id).disputeDeadline + 1);
            module.resolve(r.id);
            assertEq(uint256(statusOf(r.id)), uint256(ChallengeStatus.Cleared));
            assertEq(token.balanceOf(val1), 0);
            assertEq(token.balanceOf(alice), aliceBefore + r.bond);
        } else {
            _voteAndSettle(r, ballots, bound(segment, 0, 7), aliceBefore);
        }
        // Everything owed has been paid: the module is empty and tokens only moved.
        assertEq(token.balanceOf(address(module)), 0);
        assertEq(module.openBonds(), 0);
        assertEq(module.juryOwed(), 0);
        assertEq(_holdings(), r.sumBefore);
        bool failed = statusOf(r.id) == ChallengeStatus.Upheld;
        assertEq(token.balanceOf(address(stakes)), stakesBefore - (failed ? r.slash : 0));
        assertEq(stakes.getPool(taskId, alice).forfeited, failed);
        assertEq(openCount(alice), 0);
    }

    function _voteAndSettle(Run memory r, uint8[4] memory ballots, uint256 segment, uint256 aliceBefore) internal {
        disputeBy(val1, r.id, segment);
        for (uint256 i; i < 4; ++i) {
            uint8 b = ballots[i] % 4;
            if (b != 0) commitV(jurors[i], r.id, b == 2);
        }
        vm.warp(module.getChallenge(r.id).commitEnd);
        for (uint256 i; i < 4; ++i) {
            uint8 b = ballots[i] % 4;
            if (b < 2) continue;
            revealV(jurors[i], r.id, b == 2);
            if (b == 2) r.yes += weights[i];
            else r.no += weights[i];
        }
        vm.warp(module.getChallenge(r.id).voteEnd + 1);
        module.resolve(r.id);
        uint256 pot;
        uint8 majority;
        if (r.no > r.yes) {
            assertEq(uint256(statusOf(r.id)), uint256(ChallengeStatus.Upheld));
            pot = (r.slash * r.juryBps) / 10_000;
            assertEq(token.balanceOf(val1), r.bond + r.slash - pot);
            assertEq(token.balanceOf(alice), aliceBefore);
            majority = 3;
        } else {
            assertEq(uint256(statusOf(r.id)), uint256(ChallengeStatus.Cleared));
            if (r.yes > r.no) {
                pot = (r.bond * r.juryBps) / 10_000;
                majority = 2;
            }
            assertEq(token.balanceOf(alice), aliceBefore + r.bond - pot);
            assertEq(token.balanceOf(val1), 0);
        }
        assertEq(module.juryOwed(), pot);
        assertEq(module.getTally(r.id).juryPot, pot);
        // Majority jurors claim in order: all but the last get floor(pot * w / S), the last the rest.
        uint256 side = majority == 3 ? r.no : r.yes;
        uint256 paid;
        uint256 left;
        for (uint256 i; i < 4; ++i) {
            if (majority != 0 && ballots[i] % 4 == majority) ++left;
        }
        for (uint256 i; i < 4; ++i) {
            vm.prank(jurors[i]);
            if (majority == 0 || ballots[i] % 4 != majority) {
                (bool ok,) = address(module).call(abi.encodeCall(module.claimJuryShare, (r.id)));
                assertFalse(ok, "a juror outside the majority was paid");
                continue;
            }
            uint256 got = module.claimJuryShare(r.id);
            --left;
            if (left != 0) assertEq(got, (pot * weights[i]) / side);
            paid += got;
            assertEq(token.balanceOf(jurors[i]), got);
        }
        assertEq(paid, pot);
    }

    /// @notice Sum of the balances of everyone tokens may move between in these runs.
    function _holdings() internal view returns (uint256 sum) {
        sum = token.balanceOf(alice) + token.balanceOf(val1) + token.balanceOf(address(module))
            + token.balanceOf(address(stakes)) + token.balanceOf(address(registry));
        for (uint256 i; i < 4; ++i) {
            sum += token.balanceOf(jurors[i]);
        }
    }
}

/// @notice Drives challenges through every stage in random order: openings, proofs,
/// disclosures, disputes, verdict commits and reveals, settlements, jury claims and time.
contract VerdictHandler is Test {
    ChallengeModule internal module;
    StakeManager internal stakes;
    uint256 internal taskId;
    address[5] internal validators;

    uint256 public opened;
    /// @dev Ghosts: how often each challenge settled, each juror claimed, and what was claimed.
    mapping(uint256 => uint256) public settlements;
    mapping(uint256 => mapping(address => uint256)) public claims;
    mapping(uint256 => uint256) public claimed;
    mapping(uint256 => mapping(address => bool)) internal committedReplays;
    uint256 public disputes;
    uint256 public reveals;

    constructor(ChallengeModule module_, StakeManager stakes_, uint256 taskId_, address[5] memory validators_) {
        module = module_;
        stakes = stakes_;
        taskId = taskId_;
        validators = validators_;
    }

    function validatorAt(uint256 i) external view returns (address) {
        return validators[i];
    }

    function open(uint256 who, uint256 sub) external {
        vm.prank(validators[who % 5]);
        try module.challenge(taskId, bound(sub, 0, 3)) {
            ++opened;
        } catch {}
    }

    function respond(uint256 idSeed) external {
        (uint256 id, Challenge memory c) = _pick(idSeed);
        if (id == 0) return;
        vm.prank(c.trainer);
        try module.respond(id, proofFor(c.submissionId)) {} catch {}
    }

    function disclose(uint256 idSeed, bytes32 manifest) external {
        (uint256 id, Challenge memory c) = _pick(idSeed);
        if (id == 0) return;
        vm.prank(c.trainer);
        try module.disclose(id, manifest) {} catch {}
    }

    function dispute(uint256 who, uint256 idSeed, uint256 segment) external {
        (uint256 id,) = _pick(idSeed);
        if (id == 0) return;
        vm.prank(validators[who % 5]);
        try module.dispute(id, bound(segment, 0, 9)) {
            ++disputes;
        } catch {}
    }

    function commit(uint256 who, uint256 idSeed, bool replays) external {
        (uint256 id, Challenge memory c) = _pick(idSeed);
        if (id == 0) return;
        address juror = validators[who % 5];
        bytes32 h = module.verdictCommitment(id, c.segment, juror, replays, _salt(juror, id, replays));
        vm.prank(juror);
        try module.commitVerdict(id, h) {
            committedReplays[id][juror] = replays;
        } catch {}
    }

    /// @notice Moves a live challenge one stage on, with the actor that stage needs: the accused
    /// answers (both halves, or now and then one), a validator disputes a segment (now and then
    /// one out of range), a juror commits or reveals its verdict (now and then the other one).
    /// Purely random calls rarely chain a whole challenge before time runs out.
    function advance(uint256 idSeed, uint256 choice, uint256 segment) external {
        _advance(idSeed, choice, segment);
    }

    /// @dev The same move under a second selector, so that runs make it twice as often.
    function advanceAgain(uint256 idSeed, uint256 choice, uint256 segment) external {
        _advance(idSeed, choice, segment);
    }

    function _advance(uint256 idSeed, uint256 choice, uint256 segment) internal {
        (uint256 id, Challenge memory c) = _pick(idSeed);
        if (id == 0) return;
        if (c.status == ChallengeStatus.Open) {
            vm.startPrank(c.trainer);
            if (choice % 8 != 0) try module.respond(id, proofFor(c.submissionId)) {} catch {}
            if (choice % 8 != 1) try module.disclose(id, keccak256(abi.encode(id))) {} catch {}
            vm.stopPrank();
        } else if (c.status == ChallengeStatus.Answered) {
            vm.prank(validators[choice % 5]);
            try module.dispute(id, choice % 8 == 0 ? 8 : bound(segment, 0, 7)) {
                ++disputes;
            } catch {}
        } else if (c.status == ChallengeStatus.Disputed) {
            if (block.timestamp < c.commitEnd) {
                for (uint256 k; k < 5; ++k) {
                    address j = validators[(choice % 5 + k) % 5];
                    if (module.getVote(id, j).commitment != 0) continue;
                    bool replays = (choice >> 8) % 2 == 0;
                    bytes32 h = module.verdictCommitment(id, c.segment, j, replays, _salt(j, id, replays));
                    vm.prank(j);
                    try module.commitVerdict(id, h) {
                        committedReplays[id][j] = replays;
                    } catch {}
                    return;
                }
            } else {
                _reveal(choice, id, choice >> 8);
            }
        }
    }

    /// @notice Both halves of a response at once, as an honest trainer's agent sends them.
    function answer(uint256 idSeed) external {
        (uint256 id, Challenge memory c) = _pick(idSeed);
        if (id == 0) return;
        vm.startPrank(c.trainer);
        try module.respond(id, proofFor(c.submissionId)) {} catch {}
        try module.disclose(id, keccak256(abi.encode(id))) {} catch {}
        vm.stopPrank();
    }

    /// @dev Reveals the committed verdict, or (one time in four) the other one, which must not open.
    function reveal(uint256 who, uint256 idSeed, uint256 flip) external {
        (uint256 id,) = _pick(idSeed);
        if (id == 0) return;
        _reveal(who, id, flip);
    }

    function _reveal(uint256 who, uint256 id, uint256 flip) internal {
        // The first juror from `who` on with a commitment not yet revealed, if any.
        address juror = validators[who % 5];
        for (uint256 k; k < 5; ++k) {
            address j = validators[(who % 5 + k) % 5];
            Vote memory v = module.getVote(id, j);
            if (v.commitment != 0 && v.verdict == Verdict.None) {
                juror = j;
                break;
            }
        }
        bool replays = committedReplays[id][juror] != (flip % 4 == 0);
        vm.prank(juror);
        try module.revealVerdict(id, replays, _salt(juror, id, replays)) {
            ++reveals;
        } catch {}
    }

    function resolve(uint256 idSeed) external {
        (uint256 id,) = _pick(idSeed);
        if (id == 0) return;
        try module.resolve(id) {
            ++settlements[id];
        } catch {}
    }

    /// @dev Three times in four a juror of the majority of some settled vote (if any), else
    /// anyone on any challenge (refused unless it happens to be such a juror).
    function claim(uint256 who, uint256 idSeed) external {
        uint256 n = module.challengeCount();
        if (n == 0) return;
        uint256 id = bound(idSeed, 1, n);
        address juror = validators[who % 5];
        if (who % 4 != 0) {
            for (uint256 k; k < n * 5; ++k) {
                uint256 i = (idSeed % n + k / 5) % n + 1;
                address j = validators[(who % 5 + k) % 5];
                Tally memory t = module.getTally(i);
                Vote memory v = module.getVote(i, j);
                if (t.majority != Verdict.None && v.verdict == t.majority && !v.claimed) {
                    (id, juror) = (i, j);
                    break;
                }
            }
        }
        vm.prank(juror);
        try module.claimJuryShare(id) returns (uint256 amount) {
            ++claims[id][juror];
            claimed[id] += amount;
        } catch {}
    }

    function wait(uint256 secs) external {
        vm.warp(block.timestamp + bound(secs, 0, 300));
    }

    /// @dev Mostly an unsettled challenge (so runs reach the later stages), sometimes any.
    function _pick(uint256 idSeed) internal view returns (uint256 id, Challenge memory c) {
        uint256 n = module.challengeCount();
        if (n == 0) return (0, c);
        if (idSeed % 4 != 0) {
            uint256[] memory live = new uint256[](n);
            uint256 k;
            for (uint256 i = 1; i <= n; ++i) {
                ChallengeStatus st = module.getChallenge(i).status;
                if (st == ChallengeStatus.Open || st == ChallengeStatus.Answered || st == ChallengeStatus.Disputed) {
                    live[k++] = i;
                }
            }
            if (k != 0) {
                id = live[(idSeed >> 2) % k];
                return (id, module.getChallenge(id));
            }
        }
        id = bound(idSeed, 1, n);
        c = module.getChallenge(id);
    }

    function _salt(address juror, uint256 id, bool replays) internal pure returns (bytes32) {
        return keccak256(abi.encode(juror, id, replays));
    }

    /// @dev Submission ids of the standard task: 0 A0 (alice), 1 C12 (carol, unprovable with
    /// maxErr 8), 2 A1 (alice), 3 S (bob).
    function proofFor(uint256 sub) internal pure returns (uint256[8] memory) {
        if (sub == 0) return P.aliceA0();
        if (sub == 1) return P.carolC12();
        if (sub == 2) return P.aliceA1();
        return P.bobStolen();
    }
}

contract ChallengeInvariantTest is ChallengeBase {
    VerdictHandler internal handler;
    address[] internal holders;

    function setUp() public override {
        super.setUp();
        standardTask();
        address[5] memory vs = [val1, val2, jur1, jur2, jur3];
        handler = new VerdictHandler(module, stakes, taskId, vs);
        for (uint256 i; i < 5; ++i) {
            token.faucet(vs[i], 200 * uint256(BOND));
            vm.prank(vs[i]);
            token.approve(address(module), type(uint256).max);
        }
        holders = [alice, bob, carol, val1, val2, jur1, jur2, jur3, dave, erin, creator];
        holders.push(address(module));
        holders.push(address(stakes));
        holders.push(address(registry));
        holders.push(address(engine));
        targetContract(address(handler));
    }

    /// @notice The module holds exactly the bonds of its unsettled challenges plus the jury
    /// shares not yet claimed, and tokens only move between holders.
    /// forge-config: default.invariant.depth = 200
    function invariant_moduleHoldsExactlyWhatItOwes() public view {
        uint256 bonds;
        uint256 owed;
        for (uint256 id = 1; id <= module.challengeCount(); ++id) {
            Challenge memory c = module.getChallenge(id);
            if (unsettled(c.status)) bonds += c.bond;
            Tally memory t = module.getTally(id);
            owed += t.juryPot - t.juryPaid;
        }
        assertEq(module.openBonds(), bonds);
        assertEq(module.juryOwed(), owed);
        assertEq(token.balanceOf(address(module)), bonds + owed);
        _tokensAreConserved();
    }

    /// @notice Tokens only move: the supply is the sum of every holder's balance.
    function _tokensAreConserved() internal view {
        uint256 sum;
        for (uint256 i; i < holders.length; ++i) {
            sum += token.balanceOf(holders[i]);
        }
        assertEq(sum, token.totalSupply());
    }

    /// @notice No double payout: a challenge settles at most once, a juror claims at most once,
    /// and the jury is paid at most its pot (exactly what the claims received); a verdict is
    /// counted once, with its recorded weight, on the side it named.
    /// forge-config: default.invariant.depth = 200
    function invariant_noDoublePayout() public view {
        address[5] memory vs = [val1, val2, jur1, jur2, jur3];
        for (uint256 id = 1; id <= module.challengeCount(); ++id) {
            assertLe(handler.settlements(id), 1);
            assertEq(handler.settlements(id) == 1, !unsettled(module.getChallenge(id).status));
            Tally memory t = module.getTally(id);
            assertLe(t.juryPaid, t.juryPot);
            assertEq(t.juryPaid, handler.claimed(id));
            uint256 claimers;
            for (uint256 j; j < 5; ++j) {
                uint256 n = handler.claims(id, vs[j]);
                assertLe(n, 1);
                assertEq(n == 1, module.getVote(id, vs[j]).claimed);
                claimers += n;
            }
            assertEq(t.claims, claimers);
            // Once every majority juror has claimed, the pot is paid out to the wei.
            uint256 side = t.majority == Verdict.Replays
                ? t.replaysVoters
                : (t.majority == Verdict.DoesNotReplay ? t.doesNotReplayVoters : 0);
            if (side != 0 && claimers == side) assertEq(t.juryPaid, t.juryPot);
        }
        _talliesAreTheRevealedVotes();
    }

    /// @notice The stake manager's count of open challenges per trainer matches the module's,
    /// and each submission has at most one unsettled challenge.
    /// forge-config: default.invariant.depth = 200
    function invariant_openCountsMatchTheStakeManager() public view {
        address[3] memory trainers = [alice, bob, carol];
        for (uint256 t; t < 3; ++t) {
            uint256 count;
            for (uint256 id = 1; id <= module.challengeCount(); ++id) {
                Challenge memory c = module.getChallenge(id);
                if (unsettled(c.status) && c.trainer == trainers[t]) ++count;
            }
            assertEq(stakes.getPool(taskId, trainers[t]).openChallenges, count);
        }
        _oneOpenChallengePerSubmission();
    }

    /// @notice At most one unsettled challenge per submission, and `openChallengeOf` names it.
    function _oneOpenChallengePerSubmission() internal view {
        for (uint256 sub; sub < 4; ++sub) {
            uint256 count;
            uint256 openId;
            for (uint256 id = 1; id <= module.challengeCount(); ++id) {
                Challenge memory c = module.getChallenge(id);
                if (c.submissionId == sub && unsettled(c.status)) (count, openId) = (count + 1, id);
            }
            assertLe(count, 1);
            assertEq(module.openChallengeOf(taskId, sub), openId);
        }
    }

    /// @notice A verdict is counted once, with the weight recorded for it, on the side it named.
    function _talliesAreTheRevealedVotes() internal view {
        address[5] memory vs = [val1, val2, jur1, jur2, jur3];
        for (uint256 id = 1; id <= module.challengeCount(); ++id) {
            uint256 yes;
            uint256 no;
            for (uint256 j; j < 5; ++j) {
                Vote memory v = module.getVote(id, vs[j]);
                if (v.verdict == Verdict.Replays) yes += v.weight;
                if (v.verdict == Verdict.DoesNotReplay) no += v.weight;
            }
            Tally memory t = module.getTally(id);
            assertEq(t.replaysStake, yes);
            assertEq(t.doesNotReplayStake, no);
        }
    }

    /// @notice The handler's moves do reach every stage (a fixed walk through them).
    function test_handlerWalksThroughEveryStage() public {
        handler.open(0, 0);
        handler.answer(1);
        handler.dispute(2, 1, 3);
        handler.commit(3, 1, true);
        handler.commit(4, 1, true);
        handler.commit(0, 1, false);
        handler.wait(150);
        handler.wait(150);
        handler.reveal(3, 1, 1);
        handler.reveal(4, 1, 1);
        handler.reveal(0, 1, 0); // flipped: does not open
        assertEq(handler.reveals(), 2);
        handler.wait(150);
        handler.wait(150);
        handler.resolve(1);
        assertEq(uint256(statusOf(1)), uint256(ChallengeStatus.Cleared));
        handler.claim(3, 1);
        handler.claim(4, 1);
        handler.claim(0, 1);
        assertEq(module.getTally(1).juryPaid, (uint256(BOND) * JURY) / 10_000);
        assertEq(token.balanceOf(address(module)), 0);
    }

    /// @notice Every challenge opened is counted once (challenges, disputes, votes and jury
    /// claims are reached by most runs: measured while writing the handler, about two runs in
    /// three pay a jury at depth 200).
    function afterInvariant() public view {
        assertEq(module.challengeCount(), handler.opened());
        assertGt(handler.opened(), 0);
    }
}
