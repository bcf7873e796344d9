// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title IGroth16Verifier3
/// @notice The interface of every snarkjs-generated Groth16 verifier Krain deploys: each Krain
///         circuit has exactly three public signals (`[output, modelCommitment, inputCommitment]`
///         for one inference, `[packedOutputs, modelCommitment, batchCommitment]` for a batch).
/// @dev A snarkjs verifier returns `false` for a bad proof instead of reverting, so callers must
///      check the result (and `eth_estimateGas` on it directly is meaningless).
interface IGroth16Verifier3 {
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[3] calldata pubSignals
    ) external view returns (bool);
}
