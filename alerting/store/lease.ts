// The lease is the store's (clickhouse/lease.ts): access/ takes one for token changes too.
export { createLease, leaseClaimToken, soleLease, type Lease } from '../../clickhouse/lease.ts';
