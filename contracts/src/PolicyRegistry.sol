// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title PolicyRegistry
/// @notice Policy id => (document hash, version), changed only with t-of-n approvals of the
/// policy's approvers: propose / approve / execute. A change may also replace the approver set
/// and threshold (so widening who controls a policy needs the same t-of-n). A proposal is bound
/// to the version it was made against, so an executed change voids stale proposals.
contract PolicyRegistry {
    struct Policy {
        bytes32 hash;
        uint64 version;
        uint8 threshold;
        address[] approvers;
    }

    struct Proposal {
        bytes32 policyId;
        bytes32 hash;
        uint64 baseVersion;
        uint8 threshold;
        uint8 approvals;
        bool executed;
        address[] approvers;
    }

    mapping(bytes32 => Policy) internal _policies;
    mapping(bytes32 => mapping(address => bool)) public isApprover;
    uint256 public proposalCount;
    mapping(uint256 => Proposal) internal _proposals;
    mapping(uint256 => mapping(address => bool)) public hasApproved;

    event PolicyCreated(bytes32 indexed policyId, bytes32 hash, address[] approvers, uint8 threshold);
    event ChangeProposed(uint256 indexed proposalId, bytes32 indexed policyId, bytes32 hash, uint64 baseVersion, address proposer);
    event ChangeApproved(uint256 indexed proposalId, address indexed approver, uint8 approvals);
    event PolicyPublished(bytes32 indexed policyId, bytes32 hash, uint64 version, uint256 proposalId);

    error PolicyRegistry__Exists();
    error PolicyRegistry__UnknownPolicy();
    error PolicyRegistry__BadThreshold();
    error PolicyRegistry__NotApprover();
    error PolicyRegistry__AlreadyApproved();
    error PolicyRegistry__UnknownProposal();
    error PolicyRegistry__NotEnoughApprovals(uint8 approvals, uint8 threshold);
    error PolicyRegistry__Stale();
    error PolicyRegistry__Executed();

    /// @notice Create a policy at version 1 with its approvers and threshold.
    function createPolicy(bytes32 policyId, bytes32 hash, address[] calldata approvers, uint8 threshold) external {
        if (_policies[policyId].version != 0) revert PolicyRegistry__Exists();
        _checkSet(approvers, threshold);
        Policy storage p = _policies[policyId];
        p.hash = hash;
        p.version = 1;
        _setApprovers(policyId, p, approvers, threshold);
        emit PolicyCreated(policyId, hash, approvers, threshold);
        emit PolicyPublished(policyId, hash, 1, 0);
    }

    /// @notice Propose a new document hash (and approver set/threshold); the proposer approves it.
    function propose(bytes32 policyId, bytes32 hash, address[] calldata approvers, uint8 threshold) external returns (uint256 proposalId) {
        Policy storage p = _policies[policyId];
        if (p.version == 0) revert PolicyRegistry__UnknownPolicy();
        if (!isApprover[policyId][msg.sender]) revert PolicyRegistry__NotApprover();
        _checkSet(approvers, threshold);
        proposalId = ++proposalCount;
        Proposal storage q = _proposals[proposalId];
        q.policyId = policyId;
        q.hash = hash;
        q.baseVersion = p.version;
        q.threshold = threshold;
        q.approvers = approvers;
        emit ChangeProposed(proposalId, policyId, hash, p.version, msg.sender);
        _approve(proposalId, q);
    }

    /// @notice Approve a pending proposal (once per approver).
    function approve(uint256 proposalId) external {
        Proposal storage q = _proposals[proposalId];
        if (q.policyId == bytes32(0)) revert PolicyRegistry__UnknownProposal();
        _approve(proposalId, q);
    }

    function _approve(uint256 proposalId, Proposal storage q) internal {
        if (q.executed) revert PolicyRegistry__Executed();
        if (q.baseVersion != _policies[q.policyId].version) revert PolicyRegistry__Stale();
        if (!isApprover[q.policyId][msg.sender]) revert PolicyRegistry__NotApprover();
        if (hasApproved[proposalId][msg.sender]) revert PolicyRegistry__AlreadyApproved();
        hasApproved[proposalId][msg.sender] = true;
        q.approvals += 1;
        emit ChangeApproved(proposalId, msg.sender, q.approvals);
    }

    /// @notice Publish an approved proposal: needs `threshold` approvals of the current approvers.
    function execute(uint256 proposalId) external {
        Proposal storage q = _proposals[proposalId];
        if (q.policyId == bytes32(0)) revert PolicyRegistry__UnknownProposal();
        if (q.executed) revert PolicyRegistry__Executed();
        Policy storage p = _policies[q.policyId];
        if (q.baseVersion != p.version) revert PolicyRegistry__Stale();
        if (q.approvals < p.threshold) revert PolicyRegistry__NotEnoughApprovals(q.approvals, p.threshold);
        q.executed = true;
        p.hash = q.hash;
        p.version += 1;
        for (uint256 i = 0; i < p.approvers.length; i++) isApprover[q.policyId][p.approvers[i]] = false;
        _setApprovers(q.policyId, p, q.approvers, q.threshold);
        emit PolicyPublished(q.policyId, q.hash, p.version, proposalId);
    }

    /// @notice A policy's current hash, version, approvers and threshold.
    function getPolicy(bytes32 policyId) external view returns (bytes32 hash, uint64 version, address[] memory approvers, uint8 threshold) {
        Policy storage p = _policies[policyId];
        if (p.version == 0) revert PolicyRegistry__UnknownPolicy();
        return (p.hash, p.version, p.approvers, p.threshold);
    }

    function _checkSet(address[] calldata approvers, uint8 threshold) internal pure {
        if (threshold == 0 || threshold > approvers.length) revert PolicyRegistry__BadThreshold();
        for (uint256 i = 0; i < approvers.length; i++) {
            if (approvers[i] == address(0)) revert PolicyRegistry__BadThreshold();
            for (uint256 j = 0; j < i; j++) if (approvers[i] == approvers[j]) revert PolicyRegistry__BadThreshold();
        }
    }

    function _setApprovers(bytes32 policyId, Policy storage p, address[] memory approvers, uint8 threshold) internal {
        p.approvers = approvers;
        p.threshold = threshold;
        for (uint256 i = 0; i < approvers.length; i++) isApprover[policyId][approvers[i]] = true;
    }
}
