package pace_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/telemetry"
	"github.com/scopekeeper/scopekeeper/internal/telemetry/telemetrytest"
	"github.com/scopekeeper/scopekeeper/pace"
)

// TestTelemetry: a call made in a traced operation's context records each
// attempt's pacing wait and each throttle, and a throttle that lowers the
// rate is an event on the operation's span.
func TestTelemetry(t *testing.T) {
	t.Parallel()
	srv, pool, client := emulator(t)
	srv.FailNext("CreateResourceServer", 3, cognitotest.Fault{Code: rserrors.CodeTooManyRequests})
	p := newPacer(t, pace.Config{})
	rec := &telemetrytest.Recorder{}
	ctx, span := telemetry.New(struct{}{}, nil, rec, rec).Start(context.Background(), "op")
	_, err := client.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: aws.String(pool), Identifier: aws.String("https://new.example.com"), Name: aws.String("new"),
	}, p.Option(pool, pace.ResourceUpdate))
	span.End(err)
	if err != nil {
		t.Fatalf("CreateResourceServer = %v, want success after 3 throttles", err)
	}
	if got := rec.Sum("scopekeeper.throttles"); got != 3 {
		t.Errorf("scopekeeper.throttles = %v, want 3", got)
	}
	waits := rec.Measurements("scopekeeper.pacing.wait")
	if len(waits) != 4 {
		t.Errorf("scopekeeper.pacing.wait recorded %d times, want 4 (one per attempt)", len(waits))
	}
	for _, m := range append(waits, rec.Measurements("scopekeeper.throttles")...) {
		if m.Attrs[telemetry.AttrPool] != pool || m.Attrs[telemetry.AttrCategory] != string(pace.ResourceUpdate) {
			t.Errorf("%s attributes = %v, want the pool and the category", m.Name, m.Attrs)
		}
	}
	events := rec.Named("op")[0].Events()
	if len(events) == 0 {
		t.Fatal("no throttled event on the operation's span")
	}
	for _, e := range events {
		rate, _ := e.Attrs[telemetry.AttrRate].(float64)
		if e.Name != "throttled" || e.Attrs[telemetry.AttrCategory] != string(pace.ResourceUpdate) || !(rate > 0 && rate < 1000) {
			t.Errorf("event %+v, want throttled with the category and the lowered rate", e)
		}
	}
}
