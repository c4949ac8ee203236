// Package telemetrytest records spans and metrics in memory through
// smithy-go's tracing and metrics interfaces, for tests of scopekeeper's
// telemetry: a [Recorder] is both a tracing.TracerProvider and a
// metrics.MeterProvider, given to a Client's Options or to the SDK
// client's, and [Recorder.Tree] prints the spans it recorded as a tree.
package telemetrytest
