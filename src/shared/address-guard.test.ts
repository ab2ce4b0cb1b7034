import { describe, expect, it } from 'vitest';
import { isPublicAddress, publicAddressesOf } from './address-guard.ts';

describe('isPublicAddress', () => {
  it('refuses loopback, private, shared, link-local, unspecified, multicast and reserved addresses', () => {
    for (const ip of [
      '127.0.0.1',
      '127.255.0.9',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.0.1',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.251',
      '255.255.255.255',
      '192.0.2.10',
      '::',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::',
      '2001:0:4136:e378::1',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'ff02::1',
      '2001:db8::1',
      'not-an-ip',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
  });

  it('takes public unicast addresses', () => {
    for (const ip of [
      '93.184.216.34',
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '2606:4700:4700::1111',
      '2a00:1450::1',
    ])
      expect(isPublicAddress(ip), ip).toBe(true);
  });

  it('resolves names and refuses one that leads inside', async () => {
    await expect(publicAddressesOf('localhost')).rejects.toThrow(/not public/);
    await expect(publicAddressesOf('[::1]')).rejects.toThrow(/not public/);
    await expect(publicAddressesOf('8.8.8.8')).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });
});
