// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IGroth16Verifier3} from "./IGroth16Verifier.sol";

/// @title InferenceRegistry
/// @notice Records, once, that a committed model produced an output on a committed input, after a
///         Groth16 proof of that statement checks out in the model's verifier contract.
///         A model has one single-inference verifier and at most one batch verifier per batch size
///         k (1..31): proofs of 16 rows and of a remainder of 5 rows are checked by the 16-row and the
///         5-row verifier, and adding one size never changes which verifier checks another.
/// @dev Storage is one slot per record (submitter, block number, batch size); the statement itself
///      (model, input or batch commitment, output) is in the event and in the calldata, and the
///      record id is its hash. Replay protection is keyed on the statement, never on the proof
///      bytes: Groth16 proofs are malleable, so a re-randomised proof of a recorded statement is
///      refused too.
contract InferenceRegistry {
    /// @notice Order of the BN254 scalar field: every public signal must be below it.
    uint256 public constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice Largest batch: `packedOutputs = Σ output_i · 256^i` must stay below the field.
    uint32 public constant MAX_BATCH_SIZE = 31;

    struct Model {
        // slot 0: read by single submissions
        address verifier;
        // slot 1
        address owner;
        uint64 registeredAt;
        // slot 2+
        string metadataURI;
    }

    /// @notice The contract owner: manages registrars and may register models.
    address public owner;
    /// @notice The account that may accept ownership (two-step transfer).
    address public pendingOwner;
    /// @notice Accounts with the REGISTRAR role may register models.
    mapping(address account => bool) public isRegistrar;

    mapping(uint256 modelCommitment => Model) private _models;
    /// @dev model => batch size k => verifier of k-row batch proofs (zero: none for that size).
    mapping(uint256 modelCommitment => mapping(uint32 batchSize => address)) private _batchVerifiers;
    /// @dev id => submitter (bits 0..159) | block number (160..223) | batch size (224..255).
    mapping(bytes32 id => uint256) private _records;

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event RegistrarSet(address indexed account, bool allowed);
    event ModelRegistered(
        uint256 indexed modelCommitment,
        address indexed owner,
        address verifier,
        address batchVerifier,
        uint32 batchSize,
        string metadataURI
    );
    /// @notice The verifier of `batchSize`-row batches of a model was set, replaced or (zero) removed.
    event BatchVerifierSet(uint256 indexed modelCommitment, address batchVerifier, uint32 batchSize);
    /// @notice One proven inference was recorded under `id = inferenceId(model, input, output)`.
    event InferenceRecorded(
        bytes32 indexed id,
        uint256 indexed modelCommitment,
        address indexed submitter,
        uint256 inputCommitment,
        uint256 output
    );
    /// @notice A batch of `size` proven inferences was recorded under `id = batchId(...)`.
    event InferenceBatchRecorded(
        bytes32 indexed id,
        uint256 indexed modelCommitment,
        address indexed submitter,
        uint256 batchCommitment,
        uint256 packedOutputs,
        uint32 size
    );

    error InferenceRegistry__NotOwner(address caller);
    error InferenceRegistry__NotAuthorized(address caller);
    error InferenceRegistry__ZeroAddress();
    error InferenceRegistry__NotAContract(address account);
    error InferenceRegistry__InvalidBatchSize(uint256 batchSize);
    error InferenceRegistry__ModelAlreadyRegistered(uint256 modelCommitment);
    error InferenceRegistry__ModelNotRegistered(uint256 modelCommitment);
    error InferenceRegistry__BatchNotSupported(uint256 modelCommitment, uint32 batchSize);
    error InferenceRegistry__PublicInputNotInField(uint256 index, uint256 value);
    error InferenceRegistry__ProofAlreadyUsed(bytes32 id);
    error InferenceRegistry__InvalidProof();

    modifier onlyOwner() {
        if (msg.sender != owner) revert InferenceRegistry__NotOwner(msg.sender);
        _;
    }

    /// @param initialOwner The owner; also the first registrar by virtue of ownership.
    constructor(address initialOwner) {
        if (initialOwner == address(0)) revert InferenceRegistry__ZeroAddress();
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    // ---------------------------------------------------------------- access control

    /// @notice Start a two-step ownership transfer; `newOwner` must call `acceptOwnership`.
    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    /// @notice Finish a two-step ownership transfer.
    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert InferenceRegistry__NotOwner(msg.sender);
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// @notice Grant or revoke the REGISTRAR role.
    function setRegistrar(address account, bool allowed) external onlyOwner {
        if (account == address(0)) revert InferenceRegistry__ZeroAddress();
        isRegistrar[account] = allowed;
        emit RegistrarSet(account, allowed);
    }

    // ---------------------------------------------------------------- models

    /// @notice Register a model commitment and the verifier(s) that check its proofs.
    /// @param modelCommitment Poseidon commitment to the quantised model (a field element, not 0).
    /// @param verifier Verifier of single-inference proofs.
    /// @param batchVerifier Verifier of `batchSize`-row batch proofs, or the zero address for none
    ///        (more sizes are added with `setBatchVerifier`).
    /// @param batchSize Inferences per batch proof (0 when `batchVerifier` is zero, else 1..31).
    /// @param metadataURI Where to find the model's description (and its verification keys).
    function registerModel(
        uint256 modelCommitment,
        address verifier,
        address batchVerifier,
        uint32 batchSize,
        string calldata metadataURI
    ) external {
        if (msg.sender != owner && !isRegistrar[msg.sender]) revert InferenceRegistry__NotAuthorized(msg.sender);
        if (modelCommitment == 0 || modelCommitment >= SNARK_SCALAR_FIELD) {
            revert InferenceRegistry__PublicInputNotInField(1, modelCommitment);
        }
        if (_models[modelCommitment].verifier != address(0)) {
            revert InferenceRegistry__ModelAlreadyRegistered(modelCommitment);
        }
        _checkContract(verifier);
        if (batchVerifier == address(0)) {
            if (batchSize != 0) revert InferenceRegistry__InvalidBatchSize(batchSize);
        } else {
            _checkBatch(batchVerifier, batchSize);
            _batchVerifiers[modelCommitment][batchSize] = batchVerifier;
        }
        _models[modelCommitment] = Model({
            verifier: verifier,
            owner: msg.sender,
            registeredAt: uint64(block.number),
            metadataURI: metadataURI
        });
        emit ModelRegistered(modelCommitment, msg.sender, verifier, batchVerifier, batchSize, metadataURI);
    }

    /// @notice Add, replace or remove (zero address) the verifier of `batchSize`-row batches of a
    ///         model (1..31); the verifiers of other sizes are untouched. Model owner only.
    function setBatchVerifier(uint256 modelCommitment, address batchVerifier, uint32 batchSize) external {
        Model storage m = _models[modelCommitment];
        if (m.verifier == address(0)) revert InferenceRegistry__ModelNotRegistered(modelCommitment);
        if (msg.sender != m.owner) revert InferenceRegistry__NotAuthorized(msg.sender);
        if (batchVerifier == address(0)) {
            if (batchSize == 0 || batchSize > MAX_BATCH_SIZE) revert InferenceRegistry__InvalidBatchSize(batchSize);
        } else {
            _checkBatch(batchVerifier, batchSize);
        }
        _batchVerifiers[modelCommitment][batchSize] = batchVerifier;
        emit BatchVerifierSet(modelCommitment, batchVerifier, batchSize);
    }

    /// @notice A registered model (all zero when unknown).
    function getModel(uint256 modelCommitment) external view returns (Model memory) {
        return _models[modelCommitment];
    }

    /// @notice The verifier of `batchSize`-row batches of a model (zero when there is none).
    function batchVerifierOf(uint256 modelCommitment, uint32 batchSize) external view returns (address) {
        return _batchVerifiers[modelCommitment][batchSize];
    }

    // ---------------------------------------------------------------- submissions

    /// @notice Verify and record one inference.
    /// @param pubSignals `[output, modelCommitment, inputCommitment]`, as the circuit orders them.
    /// @return id `inferenceId(modelCommitment, inputCommitment, output)`.
    function submitInference(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[3] calldata pubSignals
    ) external returns (bytes32 id) {
        _checkField(pubSignals);
        uint256 modelCommitment = pubSignals[1];
        address verifier = _models[modelCommitment].verifier;
        if (verifier == address(0)) revert InferenceRegistry__ModelNotRegistered(modelCommitment);
        id = inferenceId(modelCommitment, pubSignals[2], pubSignals[0]);
        if (_records[id] != 0) revert InferenceRegistry__ProofAlreadyUsed(id);
        if (!_verify(verifier, pA, pB, pC, pubSignals)) revert InferenceRegistry__InvalidProof();
        _records[id] = _pack(1);
        emit InferenceRecorded(id, modelCommitment, msg.sender, pubSignals[2], pubSignals[0]);
    }

    /// @notice Verify and record a batch of `size` inferences of one model in one proof, with the
    ///         model's verifier of `size`-row batches.
    /// @param pubSignals `[packedOutputs, modelCommitment, batchCommitment]` with
    ///        `packedOutputs = Σ output_i · 256^i` and `batchCommitment` the Poseidon chain of the
    ///        inputs' commitments.
    /// @param size Rows in the batch (1..31): selects the verifier, and is part of the record id.
    /// @return id `batchId(modelCommitment, batchCommitment, packedOutputs, size)`.
    function submitInferenceBatch(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[3] calldata pubSignals,
        uint32 size
    ) external returns (bytes32 id) {
        _checkField(pubSignals);
        uint256 modelCommitment = pubSignals[1];
        address batchVerifier = _batchVerifiers[modelCommitment][size];
        if (batchVerifier == address(0)) {
            if (_models[modelCommitment].verifier == address(0)) revert InferenceRegistry__ModelNotRegistered(modelCommitment);
            revert InferenceRegistry__BatchNotSupported(modelCommitment, size);
        }
        id = batchId(modelCommitment, pubSignals[2], pubSignals[0], size);
        if (_records[id] != 0) revert InferenceRegistry__ProofAlreadyUsed(id);
        if (!_verify(batchVerifier, pA, pB, pC, pubSignals)) revert InferenceRegistry__InvalidProof();
        _records[id] = _pack(size);
        emit InferenceBatchRecorded(id, modelCommitment, msg.sender, pubSignals[2], pubSignals[0], size);
    }

    // ---------------------------------------------------------------- reads

    /// @notice The record stored under `id`; `submitter` is zero when there is none.
    /// @return submitter Who submitted the proof.
    /// @return blockNumber The block that recorded it (its event is in that block).
    /// @return size 1 for a single inference, k for a batch of k.
    function getRecord(bytes32 id) external view returns (address submitter, uint64 blockNumber, uint32 size) {
        uint256 r = _records[id];
        submitter = address(uint160(r));
        blockNumber = uint64(r >> 160);
        size = uint32(r >> 224);
    }

    /// @notice Whether a record exists under `id`.
    function isRecorded(bytes32 id) external view returns (bool) {
        return _records[id] != 0;
    }

    /// @notice The id of a single inference: `keccak256(abi.encode(model, input, output))`.
    function inferenceId(uint256 modelCommitment, uint256 inputCommitment, uint256 output) public pure returns (bytes32) {
        return keccak256(abi.encode(modelCommitment, inputCommitment, output));
    }

    /// @notice The id of a batch: `keccak256(abi.encode(model, batchCommitment, packedOutputs, size))`
    ///         (four words, so it never collides with a single inference's three-word preimage).
    function batchId(uint256 modelCommitment, uint256 batchCommitment, uint256 packedOutputs, uint32 size)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(modelCommitment, batchCommitment, packedOutputs, size));
    }

    // ---------------------------------------------------------------- internals

    function _pack(uint32 size) private view returns (uint256) {
        return uint256(uint160(msg.sender)) | (uint256(uint64(block.number)) << 160) | (uint256(size) << 224);
    }

    /// @dev Every public signal `< r`, else `InferenceRegistry__PublicInputNotInField(index, value)`.
    function _checkField(uint256[3] calldata pubSignals) private pure {
        uint256 bad = 3;
        assembly ("memory-safe") {
            for { let i := 0 } lt(i, 3) { i := add(i, 1) } {
                if iszero(lt(calldataload(add(pubSignals, shl(5, i))), SNARK_SCALAR_FIELD)) {
                    bad := i
                    break
                }
            }
        }
        if (bad < 3) revert InferenceRegistry__PublicInputNotInField(bad, pubSignals[bad]);
    }

    /// @dev `verifier.verifyProof(pA, pB, pC, pubSignals)` with the submission's own calldata
    ///      forwarded as is (the arguments have the verifier's layout: 11 static words), instead of
    ///      re-encoding them. A verifier that reverts, returns nothing or returns anything but
    ///      `true` rejects the proof.
    function _verify(
        address verifier,
        uint256[2] calldata pA,
        uint256[2][2] calldata,
        uint256[2] calldata,
        uint256[3] calldata
    ) private view returns (bool ok) {
        bytes4 selector = IGroth16Verifier3.verifyProof.selector;
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            // pA is the first argument: the 11 words of (pA, pB, pC, pubSignals) start there
            calldatacopy(add(p, 4), pA, 352)
            let success := staticcall(gas(), verifier, p, 356, p, 32)
            ok := and(success, and(gt(returndatasize(), 31), eq(mload(p), 1)))
        }
    }

    function _checkContract(address account) private view {
        if (account == address(0)) revert InferenceRegistry__ZeroAddress();
        if (account.code.length == 0) revert InferenceRegistry__NotAContract(account);
    }

    /// @dev A batch verifier (a contract) and its size (1..31).
    function _checkBatch(address batchVerifier, uint32 batchSize) private view {
        _checkContract(batchVerifier);
        if (batchSize == 0 || batchSize > MAX_BATCH_SIZE) revert InferenceRegistry__InvalidBatchSize(batchSize);
    }
}
