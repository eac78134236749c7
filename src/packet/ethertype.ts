/**
 * Ethertypes (IEEE 802 numbers) the switch knows, one home for every layer: the parser,
 * the pipeline's prerequisites and push/pop checks, the OXM table, the flow syntax, trace,
 * the tunnel decoders.
 */
export const ETH_TYPE_IPV4 = 0x0800;
export const ETH_TYPE_ARP = 0x0806;
export const ETH_TYPE_RARP = 0x8035;
/** 802.1Q C-tag */
export const ETH_TYPE_VLAN = 0x8100;
/** 802.1ad S-tag */
export const ETH_TYPE_VLAN_8021AD = 0x88a8;
export const ETH_TYPE_IPV6 = 0x86dd;
export const ETH_TYPE_MPLS = 0x8847;
export const ETH_TYPE_MPLS_MCAST = 0x8848;
/** 802.1ah I-TAG (PBB) */
export const ETH_TYPE_PBB = 0x88e7;
