package dynamolock_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// BenchmarkLockOverhead measures what the DynamoDB lock adds to a change:
// each iteration adds and removes a scope (two changes) through a Client
// with the in-memory lock and through one with a dynamolock Locker on
// dynalite, both on the emulator, with verification on and off, and
// reports each one's time per change and their ratio.
func BenchmarkLockOverhead(b *testing.B) {
	for _, verify := range []bool{true, false} {
		b.Run(fmt.Sprintf("verify=%v", verify), func(b *testing.B) { benchmarkLockOverhead(b, !verify) })
	}
}

func benchmarkLockOverhead(b *testing.B, noVerify bool) {
	srv := cognitotest.NewServer()
	defer srv.Close()
	pool := srv.CreateUserPool("bench")
	if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: testID, Name: "API"}); err != nil {
		b.Fatal(err)
	}
	ddb, _, table := newTable(b)
	clients := []*resourceserver.Client{
		resourceserver.New(srv.Client(), func(o *resourceserver.Options) {
			o.Locker, o.DisableRateLimit, o.DisableVerify = resourceserver.NewMemoryLocker(), true, noVerify
		}),
		resourceserver.New(srv.Client(), func(o *resourceserver.Options) {
			o.Locker, o.DisableRateLimit, o.DisableVerify = newLocker(b, ddb, table, 10*time.Second), true, noVerify
		}),
	}
	var took [2]time.Duration
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		for j, c := range clients {
			s := resourceserver.Scope{Name: fmt.Sprintf("s%d-%d", j, i), Description: "benchmark"}
			start := time.Now()
			if _, err := c.AddScope(ctx, pool, testID, s); err != nil {
				b.Fatal(err)
			}
			if _, err := c.RemoveScopes(ctx, pool, testID, s.Name); err != nil {
				b.Fatal(err)
			}
			took[j] += time.Since(start)
		}
	}
	changes := float64(2 * b.N)
	b.ReportMetric(float64(took[0].Nanoseconds())/changes, "memory-ns/change")
	b.ReportMetric(float64(took[1].Nanoseconds())/changes, "dynamolock-ns/change")
	b.ReportMetric(float64(took[1])/float64(took[0]), "dynamolock/memory")
}
