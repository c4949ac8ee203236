package main

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/aws/smithy-go/metrics/smithyotelmetrics"
	"github.com/aws/smithy-go/tracing/smithyoteltracing"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/pace"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// BenchmarkOverhead measures what OpenTelemetry costs an AddScope on the
// embedded emulator (Describe + Update + verifying Describe, each
// iteration a write; pacing on at a rate that never waits), with in-memory
// span and metric exporters (spans dropped after each iteration, as an
// exporter ships them). Three Clients are called in turn within each
// iteration, so that all see the same machine: one without telemetry; one
// with scopekeeper's alone (providers in its Options, the SDK client not
// wired); one on an SDK client wired to OpenTelemetry, which adds the
// SDK's own spans and metrics; and a second one without telemetry, the
// control. It reports each one's process CPU time (the emulator's share
// included; steadier than wall time on a loaded machine) and wall time
// over those of the first: "cpu-ours/off", "cpu-sdk+ours/off",
// "wall-ours/off", "wall-sdk+ours/off"; and "cpu-off/off", the control's,
// which shows how far two identical Clients differ on this machine.
//
//	cd examples/otel && go test -run '^$' -bench BenchmarkOverhead -benchtime 400x
func BenchmarkOverhead(b *testing.B) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("bench")
	if _, err := resourceserver.New(srv.Client()).Create(context.Background(), resourceserver.ResourceServer{
		UserPoolID: pool, Identifier: "api", Name: "API", Scopes: []resourceserver.Scope{{Name: "s0", Description: "d"}},
	}); err != nil {
		b.Fatal(err)
	}
	tel := NewTelemetry()
	// Each Client paces on a Pacer of its own, at a rate that never waits.
	fast := func(o *resourceserver.Options) {
		p, err := pace.New(pace.Config{Ceilings: map[pace.Category]float64{pace.ResourceRead: 1e6, pace.ResourceUpdate: 1e6}})
		if err != nil {
			b.Fatal(err)
		}
		o.Pacer = p
	}
	clients := []*resourceserver.Client{
		resourceserver.New(srv.Client(), fast),
		resourceserver.New(srv.Client(), fast, func(o *resourceserver.Options) {
			o.TracerProvider = smithyoteltracing.Adapt(tel.Tracer)
			o.MeterProvider = smithyotelmetrics.Adapt(tel.Meter)
		}),
		resourceserver.New(srv.Client(tel.WireSDK), fast),
		resourceserver.New(srv.Client(), fast),
	}
	wall := make([]time.Duration, len(clients))
	cpu := make([]time.Duration, len(clients))
	i := 0
	for b.Loop() {
		for k := range clients {
			side := (i + k) % len(clients) // rotate which goes first
			sc := resourceserver.Scope{Name: fmt.Sprintf("s%d", i%20), Description: fmt.Sprintf("d%d/%d", i, side)}
			start, startCPU := time.Now(), cpuTime(b)
			if _, err := clients[side].AddScope(context.Background(), pool, "api", sc); err != nil {
				b.Fatal(err)
			}
			wall[side] += time.Since(start)
			cpu[side] += cpuTime(b) - startCPU
		}
		if len(tel.Spans.GetSpans()) == 0 {
			b.Fatal("no span exported")
		}
		tel.Spans.Reset()
		i++
	}
	b.ReportMetric(cpu[1].Seconds()/cpu[0].Seconds(), "cpu-ours/off")
	b.ReportMetric(cpu[2].Seconds()/cpu[0].Seconds(), "cpu-sdk+ours/off")
	b.ReportMetric(wall[1].Seconds()/wall[0].Seconds(), "wall-ours/off")
	b.ReportMetric(wall[2].Seconds()/wall[0].Seconds(), "wall-sdk+ours/off")
	b.ReportMetric(cpu[3].Seconds()/cpu[0].Seconds(), "cpu-off/off")
}

// cpuTime returns the CPU time, user and system, that the process has used.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
