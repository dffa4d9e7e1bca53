/**
 * Which peers may connect to the outbound server: addresses and CIDR blocks, checked with
 * Node's `net.BlockList` before a byte is read.
 *
 * @module
 */
import { BlockList, isIP } from 'node:net';
import { ConfigError } from '../errors.js';

/** Addresses (`10.0.0.5`), CIDR blocks (`10.0.0.0/8`, `fd00::/8`), or a function of the address. */
export type AllowList = readonly string[] | ((remoteAddress: string) => boolean);

/**
 * Compiles an allowlist into a predicate. IPv4 peers seen on a dual-stack socket
 * (`::ffff:10.0.0.5`) match IPv4 entries. Throws {@link ConfigError} for an entry that is not
 * an address or a CIDR block.
 */
export function compileAllowList(allow: AllowList | undefined): (remoteAddress: string | undefined) => boolean {
  if (allow === undefined) return () => true;
  if (typeof allow === 'function') return (address) => address !== undefined && allow(address);
  const list = new BlockList();
  for (const entry of allow) {
    const [address = '', bits, extra] = entry.trim().split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= max))) {
      throw new ConfigError(`allow: "${entry}" is not an IP address or CIDR block (e.g. 10.0.0.0/8)`, 'allow', entry);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, prefix, type);
  }
  return (address) => {
    if (address === undefined) return false;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return list.check(mapped[1]!, 'ipv4');
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
