/**
 * Who signed a Hyperliquid-dialect action. Nothing here is hand-written
 * cryptography: the action hash is the SDK's own `createL1ActionHash` (msgpack of the
 * action ‖ nonce u64 BE ‖ vault flag [‖ vault] [‖ 0 ‖ expiresAfter u64 BE], keccak),
 * EIP-712 hashing is viem's `hashTypedData`, and public-key recovery is
 * libsecp256k1 (native) or @noble/curves' secp256k1 (secp256k1-recover.ts). Recovery
 * is synchronous, so a request is verified, checked and submitted within one turn of
 * the event loop.
 *
 *   L1 actions (order, cancel, …): EIP-712 domain {name "Exchange", version "1",
 *     chainId 1337, verifyingContract 0x0}, primary type Agent {source, connectionId}
 *     with source "a" (mainnet; perpd speaks as mainnet) and connectionId = action hash.
 *   User-signed actions (approveAgent): domain {name "HyperliquidSignTransaction",
 *     version "1", chainId = action.signatureChainId, verifyingContract 0x0}, primary
 *     type "HyperliquidTransaction:ApproveAgent".
 *
 * An ECDSA signature always recovers *some* address: a wrong signature is caught
 * because the recovered address is not a known user or agent.
 */
import { createL1ActionHash } from '@nktkas/hyperliquid/signing';
import { bytesToHex, domainSeparator, hashTypedData, hexToBytes, keccak256, stringToBytes, type Hex } from 'viem';
import { publicKeyToAddress } from 'viem/accounts';
import { isHighS, recoverUncompressed } from './secp256k1-recover.js';

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const SIG_PART = /^0x[0-9a-fA-F]{1,64}$/;

export interface WireSignature {
  r: string;
  s: string;
  v: number;
}

/** The EIP-712 types of approveAgent, in the SDK's (and Hyperliquid's) field order. */
export const APPROVE_AGENT_TYPES = {
  'HyperliquidTransaction:ApproveAgent': [
    { name: 'hyperliquidChain', type: 'string' },
    { name: 'agentAddress', type: 'address' },
    { name: 'agentName', type: 'string' },
    { name: 'nonce', type: 'uint64' },
  ],
} as const;

/** True when `sig` has the wire shape {r: 0x-hex, s: 0x-hex, v: 27|28}. */
export function isWireSignature(sig: unknown): sig is WireSignature {
  if (!sig || typeof sig !== 'object') return false;
  const o = sig as Record<string, unknown>;
  return typeof o.r === 'string' && SIG_PART.test(o.r) && typeof o.s === 'string' && SIG_PART.test(o.s) && (o.v === 27 || o.v === 28);
}

/** Recovers the lower-case signer address of a 32-byte digest, or undefined (invalid or high-s signature). */
export function tryRecoverAddress(digest: Hex | Uint8Array, sig: WireSignature): string | undefined {
  try {
    const compact = new Uint8Array(64);
    compact.set(hexToBytes(`0x${sig.r.slice(2).padStart(64, '0')}`), 0);
    compact.set(hexToBytes(`0x${sig.s.slice(2).padStart(64, '0')}`), 32);
    if (isHighS(compact.subarray(32))) return undefined; // malleable twin of a valid signature: refuse
    const publicKey = recoverUncompressed(compact, sig.v - 27, typeof digest === 'string' ? hexToBytes(digest) : digest);
    return publicKeyToAddress(bytesToHex(publicKey)).toLowerCase();
  } catch {
    return undefined;
  }
}

export const L1_DOMAIN = { name: 'Exchange', version: '1', chainId: 1337, verifyingContract: ZERO_ADDRESS } as const;
export const AGENT_TYPES = { Agent: [{ name: 'source', type: 'string' }, { name: 'connectionId', type: 'bytes32' }] } as const;

/**
 * The EIP-712 digest of an L1 action's phantom agent, by the EIP-712 formula with its
 * constant parts computed once, at load, by viem:
 *   keccak256(0x1901 ‖ domainSeparator ‖ keccak256(typeHash(Agent) ‖ keccak256("a") ‖ connectionId)).
 * viem's generic `hashTypedData` re-derives the domain and type hashes on every call
 * (about 40% of the JSON path's gateway-thread time at saturation); this is equal to it
 * by construction and by test (signing.test.ts compares both on seeded connectionIds).
 */
const L1_DIGEST_INPUT = new Uint8Array(2 + 32 + 32);
const AGENT_STRUCT_INPUT = new Uint8Array(32 * 3);
L1_DIGEST_INPUT.set([0x19, 0x01], 0);
L1_DIGEST_INPUT.set(hexToBytes(domainSeparator({ domain: L1_DOMAIN })), 2);
AGENT_STRUCT_INPUT.set(keccak256(stringToBytes('Agent(string source,bytes32 connectionId)'), 'bytes'), 0);
AGENT_STRUCT_INPUT.set(keccak256(stringToBytes('a'), 'bytes'), 32);

export function l1AgentDigest(connectionId: Hex): Uint8Array {
  AGENT_STRUCT_INPUT.set(hexToBytes(connectionId), 64);
  L1_DIGEST_INPUT.set(keccak256(AGENT_STRUCT_INPUT, 'bytes'), 34);
  return keccak256(L1_DIGEST_INPUT, 'bytes');
}

/** The same digest through viem's generic EIP-712 path (the reference for l1AgentDigest). */
export function l1AgentDigestViaViem(connectionId: Hex): Hex {
  return hashTypedData({ domain: L1_DOMAIN, types: AGENT_TYPES, primaryType: 'Agent', message: { source: 'a', connectionId } });
}

/** The signer of an L1 action (mainnet phantom agent, source "a"). */
export function tryRecoverL1Signer(action: Record<string, unknown>, nonce: number, sig: WireSignature, expiresAfter?: number): string | undefined {
  let connectionId: Hex;
  try {
    connectionId = createL1ActionHash({ action, nonce, expiresAfter });
  } catch {
    return undefined; // e.g. a value msgpack cannot encode
  }
  return tryRecoverAddress(l1AgentDigest(connectionId), sig);
}

/** The signer of an approveAgent action (agentName null/absent signs as ""). */
export function tryRecoverApproveAgentSigner(
  action: { signatureChainId: string; hyperliquidChain: string; agentAddress: string; agentName: string; nonce: number },
  sig: WireSignature,
): string | undefined {
  try {
    const digest = hashTypedData({
      domain: { name: 'HyperliquidSignTransaction', version: '1', chainId: Number.parseInt(action.signatureChainId, 16), verifyingContract: ZERO_ADDRESS },
      types: APPROVE_AGENT_TYPES,
      primaryType: 'HyperliquidTransaction:ApproveAgent',
      message: {
        hyperliquidChain: action.hyperliquidChain,
        agentAddress: action.agentAddress as Hex,
        agentName: action.agentName,
        nonce: BigInt(action.nonce),
      },
    });
    return tryRecoverAddress(digest, sig);
  } catch {
    return undefined;
  }
}
