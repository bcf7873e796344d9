// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ContractRegistry
/// @notice On-chain record of secret contracts (issue 18): the content hash of a contract's source
/// and the hash of its compiled plan, recorded by the account that deployed it (a gateway). The
/// first account to record a source hash owns it; it may record the hash again (a new plan or
/// URI), another account may not. No constructor arguments: the registry deploys to the same
/// CREATE2 address on every chain.
contract ContractRegistry {
    struct Record {
        address owner;
        bytes32 planHash;
        uint64 blockNumber;
        string uri;
    }

    mapping(bytes32 => Record) internal _records;

    event ContractRecorded(bytes32 indexed sourceHash, address indexed owner, bytes32 planHash, string uri);

    error ContractRegistry__ZeroHash();
    error ContractRegistry__NotHashOwner(address owner);

    /// @notice Record `sourceHash` with its plan hash and URI; the caller owns the hash.
    function record(bytes32 sourceHash, bytes32 planHash, string calldata uri) external {
        if (sourceHash == bytes32(0) || planHash == bytes32(0)) revert ContractRegistry__ZeroHash();
        Record storage r = _records[sourceHash];
        if (r.owner != address(0) && r.owner != msg.sender) revert ContractRegistry__NotHashOwner(r.owner);
        r.owner = msg.sender;
        r.planHash = planHash;
        r.blockNumber = uint64(block.number);
        r.uri = uri;
        emit ContractRecorded(sourceHash, msg.sender, planHash, uri);
    }

    /// @notice The record of `sourceHash` (owner zero: never recorded).
    function getRecord(bytes32 sourceHash) external view returns (address owner, bytes32 planHash, uint64 blockNumber, string memory uri) {
        Record storage r = _records[sourceHash];
        return (r.owner, r.planHash, r.blockNumber, r.uri);
    }
}
