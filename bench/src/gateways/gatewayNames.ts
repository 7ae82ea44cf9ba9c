/** Potluck's gateway and its peers: stock Apollo Gateway, Hive Gateway, and Hive Gateway with the Rust query planner. */
export const GATEWAYS = ['potluck', 'apollo', 'hive', 'hive-router'] as const;

export type GatewayName = (typeof GATEWAYS)[number];

export const GATEWAY_TITLES: Record<GatewayName, string> = {
  potluck: "Potluck's gateway",
  apollo: 'stock Apollo Gateway',
  hive: 'Hive Gateway',
  'hive-router': 'Hive Gateway with the Rust query planner',
};
