/**
 * The service registry (etcd): registration of an instance under a kept-alive lease, the live
 * directory of a service's instances, and the grpc-js resolver that dials through it. Kept out
 * of the main entry point so services without a registry never load the etcd client.
 */
export * from './registry.js';
export * from './resolver.js';
