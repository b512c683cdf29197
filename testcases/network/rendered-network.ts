import assert from 'node:assert/strict';
import type { HarvestedCell } from '../api.js';

/** Where each of cloud-init's renderers writes eth0's configuration. */
const RENDERED: Readonly<Record<string, string>> = {
  eni: '/etc/network/interfaces.d/50-cloud-init',
  networkd: '/etc/systemd/network/10-cloud-init-eth0.network',
  netplan: '/etc/netplan/50-cloud-init.yaml',
};

/**
 * The checks a network-config case shares: the renderer cloud-init chose wrote the
 * addresses, the kernel has them on eth0, and the applied configuration
 * is in cloud-init.log.
 */
export function networkChecks(cell: HarvestedCell, wanted: { readonly addresses: readonly string[] }): void {
  it('renders the configuration with the renderer cloud-init selected', () => {
    const renderer = /Selected renderer '(\w+)'/.exec(cell.log())?.[1];
    assert.ok(renderer !== undefined, 'cloud-init.log does not say which network renderer it selected');
    const path = RENDERED[renderer];
    assert.ok(path !== undefined, `renderer ${renderer} is not one this case knows where to look for`);
    const rendered = cell.file(path);
    for (const address of wanted.addresses) assert.ok(rendered.includes(address.split('/')[0] ?? address), `${path} lacks ${address}:\n${rendered}`);
  });

  it('eth0 has the addresses', () => {
    const addresses = cell.command('addresses');
    for (const address of wanted.addresses) assert.ok(addresses.stdout.includes(`inet ${address}`), `eth0 lacks ${address}:\n${addresses.stdout}${addresses.stderr}`);
  });

  it('cloud-init logged the network configuration it applied, from the datasource', () => {
    assert.match(cell.log(), /Applying network configuration from ds/);
  });
}
