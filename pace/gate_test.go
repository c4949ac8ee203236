package pace_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/scopekeeper/scopekeeper/internal/gate"
	"github.com/scopekeeper/scopekeeper/pace"
)

// TestOptionGate: a write whose gate closes while it waits for its slot,
// or before, is not sent and fails with gate.ErrStopped; a write that
// passed its wait is marked sent; a read is never stopped by a gate.
func TestOptionGate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		cat       pace.Category
		closeAt   time.Duration // after the call starts waiting; <0: before
		wantErr   error
		wantSends int
	}{
		{"write stopped in its wait", pace.ResourceUpdate, time.Second, gate.ErrStopped, 1},
		{"write stopped before its wait", pace.ResourceUpdate, -1, gate.ErrStopped, 1},
		{"read goes on", pace.ResourceRead, time.Second, nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv, pool, client := emulator(t)
				// One request of the category every 10 s: the second waits.
				p := newPacer(t, pace.Config{Ceilings: map[pace.Category]float64{tc.cat: 0.1}})
				call := func(ctx context.Context) error {
					if tc.cat == pace.ResourceRead {
						_, err := client.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(identifier)}, p.Option(pool, tc.cat))
						return err
					}
					_, err := client.UpdateResourceServer(ctx, &cip.UpdateResourceServerInput{UserPoolId: aws.String(pool), Identifier: aws.String(identifier), Name: aws.String("api")}, p.Option(pool, tc.cat))
					return err
				}
				if err := call(t.Context()); err != nil {
					t.Fatalf("first call = %v", err)
				}
				srv.ResetRequests()
				stop, closeGate := context.WithCancel(context.Background())
				defer closeGate()
				ctx, g := gate.With(t.Context(), stop)
				if tc.closeAt < 0 {
					closeGate()
				} else {
					time.AfterFunc(tc.closeAt, closeGate)
				}
				err := call(ctx)
				var werr *pace.WaitError
				if tc.wantErr != nil && (!errors.Is(err, tc.wantErr) || !errors.As(err, &werr)) {
					t.Errorf("call = %v, want a *pace.WaitError matching %v", err, tc.wantErr)
				}
				if tc.wantErr == nil && err != nil {
					t.Errorf("call = %v, want nil", err)
				}
				if got := len(srv.Requests()); got != tc.wantSends-1 {
					t.Errorf("requests sent after the first = %d, want %d", got, tc.wantSends-1)
				}
				if g.Sent() {
					t.Errorf("gate marked sent: only the scopekeeper call path marks it")
				}
			})
		})
	}
}
