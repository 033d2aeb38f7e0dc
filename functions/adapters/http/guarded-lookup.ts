import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { DigestError } from '../../core/errors.ts';
import { type AddressVerdict, classifyAddress } from './address-policy.ts';

/** A name resolved (or a literal given) to an address the policy refuses. */
export class BlockedAddressError extends DigestError {
  override name = 'BlockedAddressError';
  readonly code = 'EBLOCKEDADDRESS';
  constructor(
    readonly host: string,
    readonly verdict: AddressVerdict,
  ) {
    const via =
      host.replace(/^\[|\]$/g, '') === verdict.address.replace(/^\[|\]$/g, '') ? '' : `${host} resolves to `;
    super(
      `refused: ${via}${verdict.address} is a ${verdict.range} address; sources must be public ` +
        '(set DIGEST_ALLOW_PRIVATE_SOURCES=true to allow private addresses in local development)',
    );
  }
}

/** Resolves a name to every address it has (the stub in tests). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    );
  });

export interface AddressPolicy {
  /** Allow every address (local development and tests). */
  allowPrivate: boolean;
  /** Specific addresses allowed despite the policy. */
  allowAddresses?: readonly string[] | undefined;
}

export function checkAddress(host: string, address: string, policy: AddressPolicy): void {
  if (policy.allowPrivate || policy.allowAddresses?.includes(address)) return;
  const verdict = classifyAddress(address);
  if (!verdict.allowed) throw new BlockedAddressError(host, verdict);
}

/**
 * The `lookup` the HTTP agent connects with: it resolves, checks every address, and hands the
 * socket exactly the addresses it checked. There is no separate "check first" resolution that a
 * DNS answer changing between check and connect (rebinding) could slip past: the check is on
 * the addresses connected to. One refused address refuses the name (a public-looking name that
 * also points inside is an attack, not a fallback).
 */
export function guardedLookup(resolver: Resolver, policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (addresses) => {
        const family = typeof options.family === 'number' ? options.family : 0;
        const usable = addresses.filter((a) => family === 0 || a.family === family);
        if (usable.length === 0) {
          const error = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
          callback(error, '', 4);
          return;
        }
        try {
          for (const a of usable) checkAddress(hostname, a.address, policy);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '', 4);
          return;
        }
        if (options.all) {
          // Node's typings give `callback` the single-address shape; with `all` it takes the list.
          (callback as unknown as (e: null, addresses: LookupAddress[]) => void)(null, usable);
        } else {
          const a = usable[0] as LookupAddress;
          callback(null, a.address, a.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}
