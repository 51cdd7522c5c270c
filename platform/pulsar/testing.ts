// The entry for tests and benchmarks, not for applications: an in-process fake Pulsar broker on
// our own wire layer, and the CRC-32C implementations side by side so a benchmark can compare
// them. Application code imports index.ts only.
export { startFakeBroker, type FakeBroker, type FakeBrokerStats, type DeliveryShape } from './testing/fake-pulsar-broker.ts';
export { crc32c, crc32cImplementation, crc32cPortable } from './protocol/crc32c.ts';
export { RecordingProxy, FrameSplitter, proxyLookupResponse, type RecordedFrame, type FrameDirection } from './testing/recording-proxy.ts';
export { FrameParser, type Frame, type PayloadSection } from './protocol/parser.ts';
