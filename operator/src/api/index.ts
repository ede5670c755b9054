// The Keelson API: resource types, their schemas, and the CRDs built from them.
export * from './v1alpha1/index.ts';
export { buildCrd, toStructuralSchema, type ResourceDefinition, type PrinterColumn } from './crd.ts';
