package dynamolock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/scopekeeper/scopekeeper/cognitotest"
	"github.com/scopekeeper/scopekeeper/dynamolock"
	"github.com/scopekeeper/scopekeeper/internal/proctest"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// replicaResult is what a replica (modeReplica) prints.
type replicaResult struct {
	Ensure, Took time.Duration // from its release to the end of its Ensure, and of its last AddScope
	Gets, Puts   int64         // the GetItem and PutItem requests its Locker sent
	Err          string        // the first error, if any
}

// countingAPI counts a Locker's reads and conditional puts.
type countingAPI struct {
	dynamolock.API
	gets, puts atomic.Int64
}

func (c *countingAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.gets.Add(1)
	return c.API.GetItem(ctx, in, optFns...)
}

func (c *countingAPI) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.puts.Add(1)
	return c.API.PutItem(ctx, in, optFns...)
}

// runReplica is the work of a replica: an Ensure and cfg.Scopes
// AddScopes, each under a Locker at the default Options; the Client
// does not pace (the emulator enforces no quota), so that the figures
// are the lock's.
func runReplica(cfg childConfig) replicaResult {
	ctx := context.Background()
	ddb := &countingAPI{API: dynamoClientAt(cfg.Dynamo)}
	locker, err := dynamolock.New(ddb, func(o *dynamolock.Options) { o.Table = cfg.Table })
	if err != nil {
		return replicaResult{Err: err.Error()}
	}
	c := resourceserver.New(cognitoClientAt(cfg.Cognito), func(o *resourceserver.Options) {
		o.Locker = locker
		o.DisableRateLimit = true
	})
	var res replicaResult
	start := time.Now()
	_, err = c.Ensure(ctx, resourceserver.ResourceServer{
		UserPoolID: cfg.Pool, Identifier: cfg.ID, Name: "API",
		Scopes: []resourceserver.Scope{{Name: "base", Description: "every replica's"}},
	})
	res.Ensure = time.Since(start)
	for i := 0; i < cfg.Scopes && err == nil; i++ {
		s := resourceserver.Scope{Name: fmt.Sprintf("%s-%02d", cfg.Prefix, i), Description: "added by " + cfg.Prefix}
		_, err = c.AddScope(ctx, cfg.Pool, cfg.ID, s)
	}
	res.Took = time.Since(start)
	if err != nil {
		res.Err = err.Error()
	}
	res.Gets, res.Puts = ddb.gets.Load(), ddb.puts.Load()
	return res
}

// BenchmarkReplicas starts replicas as separate processes, each with its
// own Client and its own dynamolock Locker at the default Options, on one
// emulator and one dynalite, and releases them together, as a deployment
// starts them: each Ensures one resource server ("noop": it already has
// the scope, so there is nothing to write) and then, in "add12", adds 12
// scopes of its own, one AddScope at a time. The baseline, in the same
// run, is one replica doing the same alone. It reports the slowest
// replica's time, the baseline's, their ratio, and the lock's DynamoDB
// reads per replica; it fails on any error or lost scope.
func BenchmarkReplicas(b *testing.B) {
	for _, tt := range []struct {
		name     string
		replicas int
		scopes   int
		exists   bool // the server and its scope exist before: Ensure writes nothing
	}{
		{"noop/replicas=6", 6, 0, true},
		{"add12/replicas=6", 6, 12, false},
	} {
		b.Run(tt.name, func(b *testing.B) {
			srv := cognitotest.NewServer()
			defer srv.Close()
			pool := srv.CreateUserPool("bench")
			_, endpoint, table := newTable(b)
			var slowest, alone, ensure time.Duration
			var gets int64
			n := 0
			for b.Loop() {
				run := func(replicas int) []replicaResult {
					id := fmt.Sprintf("https://api-%d-%d.example.com", n, replicas)
					if tt.exists {
						if err := srv.PutResourceServer(cognitotest.ResourceServer{UserPoolID: pool, Identifier: id, Name: "API",
							Scopes: []cognitotest.Scope{{Name: "base", Description: "every replica's"}}}); err != nil {
							b.Fatal(err)
						}
					}
					children := make([]*proctest.Child, replicas)
					for i := range children {
						children[i] = startReplica(b, childConfig{Dynamo: endpoint, Table: table, Cognito: srv.URL,
							Pool: pool, ID: id, Prefix: fmt.Sprintf("r%d", i), Scopes: tt.scopes})
					}
					results := proctest.Release[replicaResult](b, children, proctest.Pauses{}).Results
					want := []string{"base"}
					for i, r := range results {
						if r.Err != "" {
							b.Fatalf("replica %d: %s", i, r.Err)
						}
						for j := range tt.scopes {
							want = append(want, fmt.Sprintf("r%d-%02d", i, j))
						}
					}
					slices.Sort(want)
					if got := scopeNames(b, srv, pool, id); !slices.Equal(got, want) {
						b.Fatalf("stored scopes %v, want %v", got, want)
					}
					return results
				}
				alone += run(1)[0].Took
				var worst, worstEnsure time.Duration
				for _, r := range run(tt.replicas) {
					worst, worstEnsure = max(worst, r.Took), max(worstEnsure, r.Ensure)
					gets += r.Gets
				}
				slowest += worst
				ensure += worstEnsure
				n++
			}
			b.ReportMetric(slowest.Seconds()/float64(n), "slowest-s")
			b.ReportMetric(ensure.Seconds()/float64(n), "slowest-ensure-s")
			b.ReportMetric(alone.Seconds()/float64(n), "alone-s")
			b.ReportMetric(float64(slowest)/float64(alone), "slowest/alone")
			b.ReportMetric(float64(gets)/float64(n*tt.replicas), "reads/replica")
		})
	}
}

// startReplica starts a replica in modeReplica with cfg.
func startReplica(b *testing.B, cfg childConfig) *proctest.Child {
	b.Helper()
	js, err := json.Marshal(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return proctest.Start(b, childEnv+"="+modeReplica, configEnv+"="+string(js))
}
