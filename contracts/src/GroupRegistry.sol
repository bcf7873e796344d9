// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MembershipVerifier} from "./MembershipVerifier.sol";

/// @notice The snarkjs verifier of packages/identity's membership circuit
/// (public signals: merkleRoot, nullifier, message, scope).
interface IMembershipVerifier {
    function verifyProof(uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[4] calldata signals) external view returns (bool);
}

/// @title GroupRegistry
/// @notice Anonymous-membership groups (Semaphore-style). The lean-imt Merkle tree of Poseidon
/// identity commitments is kept off-chain (by the Group class of krain identity); an admin adds or removes a
/// member together with the new root, and the registry records every root with the time it was
/// replaced, so a proof against an old root is accepted only within the group's window (removal
/// revokes after the window). Proofs are checked on-chain by the group's verifier, and a nullifier
/// is accepted once per (group, scope).
/// The registry embeds the membership verifier (it is a MembershipVerifier): a group created with
/// verifier 0 (or the registry's own address) is checked by a call to the registry itself, an
/// address the transaction has already touched (100 gas instead of a cold call's 2,600).
contract GroupRegistry is MembershipVerifier {
    /// One storage slot: the verifier (non-zero: the group exists), the window and the size.
    struct Group {
        IMembershipVerifier verifier;
        uint64 windowSeconds;
        uint32 size;
    }

    uint256 public groupCount;
    mapping(uint256 => Group) internal _groups;
    /// group => current root
    mapping(uint256 => uint256) internal _currentRoot;
    mapping(uint256 => mapping(address => bool)) public isAdmin;
    /// group => root => packed (validUntil << 64 | replacedAt); 0: never a root of the group.
    /// The current root has validUntil = type(uint64).max and replacedAt = 0; a replaced root is
    /// valid until replacedAt + windowSeconds, so a proof checks its root with one storage read.
    mapping(uint256 => mapping(uint256 => uint256)) internal _roots;
    /// group => scope => nullifier => used
    mapping(uint256 => mapping(uint256 => mapping(uint256 => bool))) public nullifierUsed;

    event GroupCreated(uint256 indexed groupId, address verifier, uint64 windowSeconds);
    event AdminSet(uint256 indexed groupId, address indexed admin, bool enabled);
    event MemberAdded(uint256 indexed groupId, uint256 index, uint256 commitment, uint256 root);
    event MemberRemoved(uint256 indexed groupId, uint256 index, uint256 commitment, uint256 root);
    /// The root is not logged: it is in the transaction's input.
    event ProofValidated(uint256 indexed groupId, uint256 indexed scope, uint256 nullifier, uint256 message);

    error GroupRegistry__NotAdmin();
    error GroupRegistry__UnknownGroup();
    error GroupRegistry__BadCommitment();
    error GroupRegistry__UnknownRoot();
    error GroupRegistry__RootExpired();
    error GroupRegistry__NullifierUsed();
    error GroupRegistry__InvalidProof();

    uint256 private constant CURRENT = uint256(type(uint64).max) << 64;

    modifier onlyAdmin(uint256 groupId) {
        if (address(_groups[groupId].verifier) == address(0)) revert GroupRegistry__UnknownGroup();
        if (!isAdmin[groupId][msg.sender]) revert GroupRegistry__NotAdmin();
        _;
    }

    /// @notice Create a group administered by `admins`, checked by `verifier` (0: the embedded membership verifier).
    function createGroup(address[] calldata admins, IMembershipVerifier verifier, uint64 windowSeconds) external returns (uint256 groupId) {
        if (address(verifier) == address(0)) verifier = IMembershipVerifier(address(this));
        groupId = ++groupCount;
        _groups[groupId] = Group({verifier: verifier, windowSeconds: windowSeconds, size: 0});
        emit GroupCreated(groupId, address(verifier), windowSeconds);
        for (uint256 i = 0; i < admins.length; i++) {
            isAdmin[groupId][admins[i]] = true;
            emit AdminSet(groupId, admins[i], true);
        }
    }

    /// @notice An admin adds or removes another admin.
    function setAdmin(uint256 groupId, address admin, bool enabled) external onlyAdmin(groupId) {
        isAdmin[groupId][admin] = enabled;
        emit AdminSet(groupId, admin, enabled);
    }

    /// @notice Append a member (its commitment) with the tree's new root computed off-chain.
    function addMember(uint256 groupId, uint256 commitment, uint256 newRoot) external onlyAdmin(groupId) {
        if (commitment == 0) revert GroupRegistry__BadCommitment();
        Group storage g = _groups[groupId];
        uint256 index = g.size;
        g.size += 1;
        _setRoot(groupId, g, newRoot);
        emit MemberAdded(groupId, index, commitment, newRoot);
    }

    /// @notice Remove the member at `index` (its leaf becomes 0 off-chain) with the new root.
    function removeMember(uint256 groupId, uint256 index, uint256 commitment, uint256 newRoot) external onlyAdmin(groupId) {
        Group storage g = _groups[groupId];
        if (index >= g.size) revert GroupRegistry__BadCommitment();
        _setRoot(groupId, g, newRoot);
        emit MemberRemoved(groupId, index, commitment, newRoot);
    }

    function _setRoot(uint256 groupId, Group storage g, uint256 newRoot) internal {
        uint256 old = _currentRoot[groupId];
        if (old != 0) {
            uint256 until = block.timestamp + g.windowSeconds; // a window past 2^64 s never ends
            if (until > type(uint64).max) until = type(uint64).max;
            _roots[groupId][old] = (until << 64) | uint64(block.timestamp);
        }
        _currentRoot[groupId] = newRoot;
        _roots[groupId][newRoot] = CURRENT;
    }

    /// @notice The group's current root, size, verifier and window.
    function getGroup(uint256 groupId) external view returns (uint256 root, uint32 size, address verifier, uint64 windowSeconds) {
        Group storage g = _groups[groupId];
        if (address(g.verifier) == address(0)) revert GroupRegistry__UnknownGroup();
        return (_currentRoot[groupId], g.size, address(g.verifier), g.windowSeconds);
    }

    /// @notice Whether `root` is or was a root of the group.
    function isRoot(uint256 groupId, uint256 root) external view returns (bool) {
        return _roots[groupId][root] != 0;
    }

    /// @notice When `root` stopped being the group's current root (0: current, or never a root).
    function rootReplacedAt(uint256 groupId, uint256 root) external view returns (uint256) {
        return uint64(_roots[groupId][root]);
    }

    /// @notice Check a root: current, or replaced less than the window ago (one storage read).
    function _checkRoot(uint256 groupId, uint256 root) internal view {
        uint256 r = _roots[groupId][root];
        if (r == 0) revert GroupRegistry__UnknownRoot();
        if (block.timestamp >= (r >> 64)) revert GroupRegistry__RootExpired();
    }

    /// @notice Verify a membership proof without consuming its nullifier.
    function verifyProof(uint256 groupId, uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[4] calldata signals) public view returns (bool) {
        IMembershipVerifier verifier = _groups[groupId].verifier;
        if (address(verifier) == address(0)) revert GroupRegistry__UnknownGroup();
        _checkRoot(groupId, signals[0]);
        return verifier.verifyProof(a, b, c, signals);
    }

    /// @notice Verify a membership proof and consume its nullifier in its scope (a replay reverts).
    /// @param signals [merkleRoot, nullifier, message, scope]
    function validateProof(uint256 groupId, uint256[2] calldata a, uint256[2][2] calldata b, uint256[2] calldata c, uint256[4] calldata signals) external {
        IMembershipVerifier verifier = _groups[groupId].verifier;
        if (address(verifier) == address(0)) revert GroupRegistry__UnknownGroup();
        mapping(uint256 => bool) storage used = nullifierUsed[groupId][signals[3]];
        if (used[signals[1]]) revert GroupRegistry__NullifierUsed();
        _checkRoot(groupId, signals[0]);
        if (!verifier.verifyProof(a, b, c, signals)) revert GroupRegistry__InvalidProof();
        used[signals[1]] = true;
        emit ProofValidated(groupId, signals[3], signals[1], signals[2]);
    }
}
