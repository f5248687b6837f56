export { EgressClient, systemLookup, type EgressOptions, type Lookup } from './client';
export { classifyAddress, canonicalAddress, isIpLiteral, sameAddress, type AddressVerdict, type Reach } from './address';
export { addressAllowed, matchTarget, shownHost, type Target, type TargetResult } from './policy';
export { PrometheusClient, PROMETHEUS_MAX_RESPONSE_BYTES, PROMETHEUS_TIMEOUT_MS, type PrometheusOptions } from './prometheus';
