package appclient_test

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scopekeeper/scopekeeper/appclient"
)

// TestProgress checks what the scans report: once when the listing is
// done, then once per app client read, Done growing by one, to both
// Options.Progress and WithProgress, never two calls at once.
func TestProgress(t *testing.T) {
	for _, tc := range []struct {
		name string
		scan func(context.Context, *appclient.Client) error
	}{
		{"Grants", func(ctx context.Context, c *appclient.Client) error {
			_, err := c.Grants(ctx, testPool)
			return err
		}},
		{"Holders", func(ctx context.Context, c *appclient.Client) error {
			_, err := c.Holders(ctx, testPool, []string{ordersAPI + "/orders.read"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var inCall atomic.Int32
			var fromOptions, fromContext []appclient.Progress
			record := func(into *[]appclient.Progress) func(appclient.Progress) {
				return func(p appclient.Progress) {
					if inCall.Add(1) != 1 {
						t.Error("progress reported by two calls at once")
					}
					*into = append(*into, p)
					inCall.Add(-1)
				}
			}
			c := appclient.New(grantsFake(130), noWait, func(o *appclient.Options) {
				o.Parallelism = 8
				o.Progress = record(&fromOptions)
			})
			if err := tc.scan(appclient.WithProgress(context.Background(), record(&fromContext)), c); err != nil {
				t.Fatal(err)
			}
			var want []appclient.Progress
			for done := range 131 {
				want = append(want, appclient.Progress{UserPoolID: testPool, Done: done, Total: 130})
			}
			// Unpaced, the rate is what was seen: +Inf before any read.
			if r := fromOptions[0].Rate; !math.IsInf(r, 1) {
				t.Errorf("Rate of the first report = %v, want +Inf", r)
			}
			for _, p := range fromOptions[1:] {
				if !(p.Rate > 0) || math.IsInf(p.Rate, 1) {
					t.Fatalf("Rate after %d reads = %v, want the rate seen", p.Done, p.Rate)
				}
			}
			ignore := cmpopts.IgnoreFields(appclient.Progress{}, "Elapsed", "Rate")
			if diff := cmp.Diff(want, fromOptions, ignore); diff != "" {
				t.Errorf("Options.Progress reports (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, fromContext, ignore); diff != "" {
				t.Errorf("WithProgress reports (-want +got):\n%s", diff)
			}
			for i := 1; i < len(fromOptions); i++ {
				if fromOptions[i].Elapsed < fromOptions[i-1].Elapsed {
					t.Fatalf("Elapsed went back: %v after %v", fromOptions[i].Elapsed, fromOptions[i-1].Elapsed)
				}
			}
		})
	}
}

// The pacer's rate is reported when it is slower than what is seen: 97%
// of the ceiling before any throttle.
func TestProgressRate(t *testing.T) {
	var reports []appclient.Progress
	c := appclient.New(grantsFake(3), func(o *appclient.Options) { o.ReadRate = 20 })
	ctx := appclient.WithProgress(context.Background(), func(p appclient.Progress) { reports = append(reports, p) })
	if _, err := c.Grants(ctx, testPool); err != nil {
		t.Fatal(err)
	}
	if len(reports) != 4 || reports[0].Rate != 19.4 {
		t.Fatalf("reports = %+v, want 4, the first at Rate 19.4", reports)
	}
	for _, p := range reports[1:] {
		if p.Rate > 19.4 {
			t.Errorf("Rate after %d reads = %v, want at most the pacer's 19.4", p.Done, p.Rate)
		}
	}
}

func TestProgressRemaining(t *testing.T) {
	tests := []struct {
		name string
		p    appclient.Progress
		want time.Duration
	}{
		{"at Rate", appclient.Progress{Done: 100, Total: 1000, Rate: 5, Elapsed: time.Hour}, 180 * time.Second},
		{"unpaced, nothing read yet", appclient.Progress{Total: 300, Rate: math.Inf(1), Elapsed: time.Second}, 0},
		{"no rate", appclient.Progress{Total: 300}, 0},
		{"done", appclient.Progress{Done: 300, Total: 300, Rate: 5}, 0},
		{"nothing listed", appclient.Progress{Rate: 5}, 0},
	}
	for _, tc := range tests {
		if got := tc.p.Remaining(); got != tc.want {
			t.Errorf("%s: %+v.Remaining() = %v, want %v", tc.name, tc.p, got, tc.want)
		}
	}
}
