import { SystemStore } from './system-store.ts';

/** A system of the demo enterprise: the catalog id, the host its clients name, what it keeps. */
export interface DemoSystemSpec {
  id: string;
  name: string;
  /** The host name integrations put in `url.full` / `server.address` (the catalog's match rule). */
  host: string;
  /** Record kind → id prefix. */
  collections: Record<string, string>;
}

export const demoSystems = [
  { id: 'crm', name: 'CRM', host: 'crm.demo.local', collections: { leads: 'LEAD', customers: 'CUS', opportunities: 'OPP', 'order-status': 'OST' } },
  { id: 'erp', name: 'ERP', host: 'erp.demo.local', collections: { customers: 'CUS', products: 'PRD', 'sales-orders': 'SO', invoices: 'INV', quotes: 'Q' } },
  { id: 'cpq', name: 'CPQ', host: 'cpq.demo.local', collections: { opportunities: 'OPP', quotes: 'Q', products: 'PRD' } },
  { id: 'billing', name: 'Billing platform', host: 'billing.demo.local', collections: { customers: 'CUS', quotes: 'Q', invoices: 'INV' } },
  { id: 'shop', name: 'E-commerce shop', host: 'shop.demo.local', collections: { products: 'PRD', orders: 'WEB' } },
  { id: 'wms', name: 'Warehouse management', host: 'wms.demo.local', collections: { tasks: 'PICK' } },
  { id: 'tpl', name: 'Third-party logistics', host: 'tpl.demo.local', collections: { shipments: 'SHP' } },
  { id: 'support', name: 'Support desk', host: 'support.demo.local', collections: { cases: 'CASE', 'case-context': 'CTX' } },
  { id: 'entitlements', name: 'Entitlement service', host: 'entitlements.demo.local', collections: { entitlements: 'ENT' } },
] as const satisfies readonly DemoSystemSpec[];

export type DemoSystemId = (typeof demoSystems)[number]['id'];

/** The host no catalog entry knows: where the shadow-IT export sends customer data. */
export const shadowSystem: DemoSystemSpec = {
  id: 'growthhub',
  name: 'GrowthHub lead enrichment (not in the catalog)',
  host: 'contacts.growthhub.example',
  collections: { contacts: 'GH' },
};

export type DemoStores = Record<DemoSystemId, SystemStore>;

export function createStores(): DemoStores {
  const stores = {} as DemoStores;
  for (const spec of demoSystems) stores[spec.id] = new SystemStore(spec.id, spec.collections);
  return stores;
}

export interface SeedSizes {
  customers: number;
  products: number;
}

/**
 * The estate as it stands when the demo starts: customers in the CRM and its replicas, products in
 * the ERP and its replicas, entitlements per customer. Deterministic, so counts are predictable.
 */
export function seedStores(stores: DemoStores, sizes: SeedSizes): void {
  const segments = ['enterprise', 'mid-market', 'smb'];
  for (let i = 0; i < sizes.customers; i++) {
    const customer = stores.crm.collection('customers').create({ name: `Customer ${i + 1}`, segment: segments[i % 3], email: `buyer${i + 1}@example.com` });
    const copy = { name: customer.name, segment: customer.segment, email: customer.email };
    stores.erp.collection('customers').put(customer.id, copy);
    stores.billing.collection('customers').put(customer.id, copy);
    stores.entitlements
      .collection('entitlements')
      .create({ customer: customer.id, product: `PRD-${String((i % sizes.products) + 1).padStart(6, '0')}`, level: 'standard' });
  }
  for (let i = 0; i < sizes.products; i++) {
    const product = stores.erp.collection('products').create({ name: `Product ${i + 1}`, price: 100 + (i % 17) * 25 });
    stores.cpq.collection('products').put(product.id, { name: product.name, price: product.price });
    stores.shop.collection('products').put(product.id, { name: product.name, price: product.price });
  }
}
