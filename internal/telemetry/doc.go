// Package telemetry traces and measures scopekeeper's work through
// smithy-go's own tracing and metrics interfaces
// (github.com/aws/smithy-go/tracing and github.com/aws/smithy-go/metrics),
// the ones the AWS SDK's clients take, so that scopekeeper adds no
// OpenTelemetry dependency and its spans nest with the SDK's
// "Cognito Identity Provider.<Operation>" spans.
//
// # Using the package
//
// A Client resolves its providers once, in New, with [New], and keeps the
// result on its engine.Caller; each public operation starts a span with
// [Telemetry.Op] and passes the context it returns on, to the engine, the
// SDK calls and the pacer:
//
//	c.caller.Telemetry = telemetry.New(api, o.ClientOptions, o.TracerProvider, o.MeterProvider)
//	...
//	ctx, end := c.caller.Telemetry.Op(ctx, "resourceserver.Apply", poolID, telemetry.AttrIdentifier, id)
//	defer func() { end(err) }()
//
// Code deeper down needs only that context: the engine starts its batch's
// span with [StartChild], [Event] records a decision on the span in the
// context, [Count] and [Observe] record a metric with the operation's
// providers. A context without a span and a nil *Telemetry do
// nothing, at the cost of a context lookup.
//
// # Vocabulary
//
// Attributes of spans, events and metrics use the Cognito API's own names
// ([AttrPool], [AttrIdentifier], [AttrClientID]) and scopekeeper's for the
// rest ([AttrAttempts], [AttrCoalesced], [AttrOutcome], [AttrCategory]).
// The instruments, their names and units are listed once, in
// docs/observability.md; [Instruments] is that table in code.
package telemetry
