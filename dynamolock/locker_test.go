package dynamolock_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/scopekeeper/scopekeeper/dynamolock"
	rserrors "github.com/scopekeeper/scopekeeper/errors"
)

func TestNewOptions(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{}
	for _, tt := range []struct {
		name       string
		opts       dynamolock.Options
		wantOption string // "" for no error
	}{
		{"defaults", dynamolock.Options{Table: "locks"}, ""},
		{"no table", dynamolock.Options{}, "Table"},
		{"short table name", dynamolock.Options{Table: "ab"}, "Table"},
		{"bad table name", dynamolock.Options{Table: "my locks"}, "Table"},
		{"short lease", dynamolock.Options{Table: "locks", Lease: 5 * time.Millisecond}, "Lease"},
		{"negative lease", dynamolock.Options{Table: "locks", Lease: -time.Second}, "Lease"},
		{"heartbeat at half the lease", dynamolock.Options{Table: "locks", Lease: time.Second, Heartbeat: 500 * time.Millisecond}, "Heartbeat"},
		{"heartbeat above the lease", dynamolock.Options{Table: "locks", Heartbeat: time.Minute}, "Heartbeat"},
		{"negative heartbeat", dynamolock.Options{Table: "locks", Heartbeat: -time.Second}, "Heartbeat"},
		{"negative poll", dynamolock.Options{Table: "locks", Poll: -time.Second}, "Poll"},
		{"all set", dynamolock.Options{Table: "locks", Lease: time.Second, Heartbeat: 499 * time.Millisecond, Poll: time.Millisecond, Owner: "me"}, ""},
		{"poll no longer than the heartbeat", dynamolock.Options{Table: "locks", Lease: time.Second}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := dynamolock.New(api, func(o *dynamolock.Options) { *o = tt.opts })
			if tt.wantOption != "" {
				var oe *dynamolock.OptionError
				if !errors.As(err, &oe) || oe.Option != tt.wantOption {
					t.Fatalf("New(%+v) error = %v, want an *OptionError for %s", tt.opts, err, tt.wantOption)
				}
				if l != nil {
					t.Errorf("New(%+v) returned a Locker with its error", tt.opts)
				}
				return
			}
			if err != nil {
				t.Fatalf("New(%+v) error = %v", tt.opts, err)
			}
			got := l.Options()
			if got.Lease <= 0 || got.Heartbeat <= 0 || got.Heartbeat >= got.Lease/2 || got.Poll <= 0 || got.Owner == "" {
				t.Errorf("Options() = %+v, want every field set, Heartbeat below Lease/2", got)
			}
			if tt.opts.Lease != 0 && tt.opts.Poll == 0 && got.Poll != min(dynamolock.DefaultPoll, got.Heartbeat) {
				t.Errorf("Options() = %+v, want Poll %v, the shorter of DefaultPoll and Heartbeat", got, min(dynamolock.DefaultPoll, got.Heartbeat))
			}
			if tt.opts.Lease == 0 && (got.Lease != dynamolock.DefaultLease || got.Heartbeat != dynamolock.DefaultHeartbeat || got.Poll != dynamolock.DefaultPoll) {
				t.Errorf("Options() = %+v, want Lease %v, Heartbeat %v, Poll %v", got, dynamolock.DefaultLease, dynamolock.DefaultHeartbeat, dynamolock.DefaultPoll)
			}
		})
	}
	if _, err := dynamolock.New(nil, func(o *dynamolock.Options) { o.Table = "locks" }); err == nil {
		t.Errorf("New(nil) error = nil, want an *OptionError")
	}
	a, _ := dynamolock.New(api, nil, func(o *dynamolock.Options) { o.Table = "locks" })
	b, _ := dynamolock.New(api, func(o *dynamolock.Options) { o.Table = "locks" })
	if a.Options().Owner == b.Options().Owner {
		t.Errorf("two Lockers got the same default owner %q", a.Options().Owner)
	}
}

// fakeAPI is a hand-written API with a hook per operation and a call log.
type fakeAPI struct {
	mu    sync.Mutex
	calls []string

	OnGet    func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error)
	OnPut    func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error)
	OnUpdate func(*dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error)
	OnDelete func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error)
}

func (f *fakeAPI) log(op string) {
	f.mu.Lock()
	f.calls = append(f.calls, op)
	f.mu.Unlock()
}

func (f *fakeAPI) ops() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeAPI) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.log("GetItem")
	if f.OnGet != nil {
		return f.OnGet(in)
	}
	return &dynamodb.GetItemOutput{}, nil
}

func (f *fakeAPI) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.log("PutItem")
	if f.OnPut != nil {
		return f.OnPut(in)
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeAPI) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.log("UpdateItem")
	if f.OnUpdate != nil {
		return f.OnUpdate(in)
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

func (f *fakeAPI) DeleteItem(_ context.Context, in *dynamodb.DeleteItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	f.log("DeleteItem")
	if f.OnDelete != nil {
		return f.OnDelete(in)
	}
	return &dynamodb.DeleteItemOutput{}, nil
}

func fakeLocker(t *testing.T, api dynamolock.API, lease time.Duration) *dynamolock.Locker {
	t.Helper()
	l, err := dynamolock.New(api, func(o *dynamolock.Options) { o.Table, o.Lease = "locks", lease })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRequestErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name      string
		err       error
		throttled bool
	}{
		{"ThrottlingException", &smithy.GenericAPIError{Code: "ThrottlingException", Message: "slow down"}, true},
		{"RequestLimitExceeded", &smithy.GenericAPIError{Code: "RequestLimitExceeded"}, true},
		{"ProvisionedThroughputExceeded", &types.ProvisionedThroughputExceededException{Message: aws.String("too fast")}, true},
		{"AccessDenied", &smithy.GenericAPIError{Code: "AccessDeniedException"}, false},
		{"table missing", &types.ResourceNotFoundException{Message: aws.String("no table")}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The first request fails; a failed PutItem may have written,
			// so the Locker takes its record back with a DeleteItem.
			f := &fakeAPI{OnPut: func(*dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) { return nil, tt.err }}
			l := fakeLocker(t, f, time.Second)
			_, err := l.Lock(t.Context(), "k")
			var e *dynamolock.Error
			if !errors.As(err, &e) || e.Op != "PutItem" || e.Key != "k" || e.Table != "locks" {
				t.Fatalf("Lock() error = %v, want a *dynamolock.Error for PutItem locks/k", err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("Lock() error = %v, want it to wrap %v", err, tt.err)
			}
			if got := dynamolock.IsThrottled(err); got != tt.throttled {
				t.Errorf("IsThrottled(%v) = %v, want %v", err, got, tt.throttled)
			}
			if got := strings.Join(f.ops(), ","); got != "PutItem,DeleteItem" {
				t.Errorf("calls = %s, want PutItem,DeleteItem", got)
			}
			// The key is free for the next goroutine of this Locker.
			f.OnPut = nil
			lk, err := l.Lock(t.Context(), "k")
			if err != nil {
				t.Fatalf("Lock() after the failure error = %v", err)
			}
			lk.Unlock(t.Context())
		})
	}
}

func TestBadKey(t *testing.T) {
	t.Parallel()
	f := &fakeAPI{}
	l := fakeLocker(t, f, time.Second)
	for _, key := range []string{"", strings.Repeat("k", 2049)} {
		var e *dynamolock.Error
		if _, err := l.Lock(t.Context(), key); !errors.As(err, &e) {
			t.Errorf("Lock(%d bytes) error = %v, want a *dynamolock.Error", len(key), err)
		}
		if _, err := l.TryLock(t.Context(), key); !errors.As(err, &e) {
			t.Errorf("TryLock(%d bytes) error = %v, want a *dynamolock.Error", len(key), err)
		}
	}
	if calls := f.ops(); len(calls) != 0 {
		t.Errorf("calls = %v, want none", calls)
	}
}

// TestRenewalFailure checks that a holder whose renewals fail loses its
// lock when its lease ends, and that a renewal of unknown outcome is
// allowed for in the next condition.
func TestRenewalFailure(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var (
			mu    sync.Mutex
			conds [][]string // the rvns each UpdateItem accepted
		)
		f := &fakeAPI{OnUpdate: func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
			var rvns []string
			for name, v := range in.ExpressionAttributeValues {
				if strings.HasPrefix(name, ":r") {
					rvns = append(rvns, v.(*types.AttributeValueMemberS).Value)
				}
			}
			mu.Lock()
			conds = append(conds, rvns)
			mu.Unlock()
			return nil, errors.New("connection reset")
		}}
		const lease = 200 * time.Millisecond
		l := fakeLocker(t, f, lease)
		lk, err := l.Lock(t.Context(), "k")
		if err != nil {
			t.Fatal(err)
		}
		select {
		case <-lk.Lost():
		case <-time.After(5 * lease):
			t.Fatalf("Lost() not closed %v after renewals began to fail, lease %v", 5*lease, lease)
		}
		if err := lk.Unlock(t.Context()); !rserrors.IsLockLost(err) {
			t.Errorf("Unlock() error = %v, want a LockLostError", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(conds) < 2 || len(conds[1]) != 2 {
			t.Errorf("UpdateItem conditions = %v, want the second to accept the held rvn and the first attempt's", conds)
		}
	})
}

func TestTryLock(t *testing.T) {
	t.Parallel()
	ddb, _, table := newTable(t)
	a := newLocker(t, ddb, table, time.Second)
	b, err := dynamolock.New(ddb, func(o *dynamolock.Options) { o.Table, o.Owner = table, "worker-b" })
	if err != nil {
		t.Fatal(err)
	}
	lk, err := a.TryLock(t.Context(), "k")
	if err != nil {
		t.Fatalf("TryLock() of a free key error = %v", err)
	}
	for _, tt := range []struct {
		name   string
		l      *dynamolock.Locker
		holder string
	}{
		{"another Locker", b, a.Options().Owner},
		{"the same Locker", a, a.Options().Owner},
	} {
		_, err := tt.l.TryLock(t.Context(), "k")
		var he *dynamolock.HeldError
		if !errors.As(err, &he) || !dynamolock.IsHeld(err) || he.Key != "k" || he.Owner != tt.holder {
			t.Errorf("%s: TryLock() of a held key error = %v, want a *HeldError for k held by %q", tt.name, err, tt.holder)
		}
	}
	if err := lk.Unlock(t.Context()); err != nil {
		t.Fatalf("Unlock() error = %v", err)
	}
	lk, err = b.TryLock(t.Context(), "k")
	if err != nil {
		t.Fatalf("TryLock() after Unlock error = %v", err)
	}
	if err := lk.Unlock(t.Context()); err != nil {
		t.Errorf("Unlock() error = %v", err)
	}
}

func TestCreateTable(t *testing.T) {
	t.Parallel()
	ddb, _, table := newTable(t)
	// Again: the table exists and is right.
	if err := dynamolock.CreateTable(t.Context(), ddb, table); err != nil {
		t.Errorf("CreateTable() of an existing lock table error = %v", err)
	}
	// A table with another key.
	other := table + "-other"
	if _, err := ddb.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(other),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	}); err != nil {
		t.Fatal(err)
	}
	var e *dynamolock.Error
	if err := dynamolock.CreateTable(t.Context(), ddb, other); !errors.As(err, &e) || e.Table != other {
		t.Errorf("CreateTable() of a table with another key error = %v, want a *dynamolock.Error", err)
	}
	// A bad name is the service's error, kept in the chain.
	err := dynamolock.CreateTable(t.Context(), ddb, "x")
	var ae smithy.APIError
	if !errors.As(err, &e) || e.Op != "CreateTable" || !errors.As(err, &ae) {
		t.Errorf("CreateTable(%q) error = %v, want a *dynamolock.Error wrapping the service's", "x", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := dynamolock.CreateTable(ctx, ddb, table+"-cancelled"); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateTable() with a cancelled context error = %v, want %v", err, context.Canceled)
	}
}

// TestWaiterPolls checks, against a fake table, that a waiter reads the
// record every Poll, takes over a record whose rvn has not changed for the
// lease that the record states, and never takes over a record without
// an rvn.
func TestWaiterPolls(t *testing.T) {
	t.Parallel()
	ccf := &types.ConditionalCheckFailedException{Message: aws.String("held")}
	for _, tt := range []struct {
		name     string
		record   map[string]types.AttributeValue
		takeover bool
	}{
		{"steady rvn", map[string]types.AttributeValue{
			"key": &types.AttributeValueMemberS{Value: "k"}, "owner": &types.AttributeValueMemberS{Value: "other"},
			"rvn": &types.AttributeValueMemberS{Value: "r1"}, "lease_ms": &types.AttributeValueMemberN{Value: "100"},
		}, true},
		{"no rvn", map[string]types.AttributeValue{"key": &types.AttributeValueMemberS{Value: "k"}}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := &fakeAPI{
					OnGet: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
						return &dynamodb.GetItemOutput{Item: tt.record}, nil
					},
					OnPut: func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
						if v, ok := in.ExpressionAttributeValues[":seen"].(*types.AttributeValueMemberS); ok && v.Value == "r1" {
							return &dynamodb.PutItemOutput{}, nil
						}
						return nil, ccf
					},
				}
				l, err := dynamolock.New(f, func(o *dynamolock.Options) {
					o.Table, o.Lease, o.Heartbeat, o.Poll = "locks", time.Minute, time.Second, 20*time.Millisecond
				})
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), 400*time.Millisecond)
				defer cancel()
				start := time.Now()
				lk, err := l.Lock(ctx, "k")
				took := time.Since(start)
				gets := strings.Count(strings.Join(f.ops(), ","), "GetItem")
				if !tt.takeover {
					if !errors.Is(err, context.DeadlineExceeded) {
						t.Fatalf("Lock() error = %v, want %v", err, context.DeadlineExceeded)
					}
					// 400ms at one read per 20ms.
					if gets > 30 {
						t.Errorf("%d GetItem calls in %v, want about one per Poll (20ms)", gets, took)
					}
					return
				}
				if err != nil {
					t.Fatalf("Lock() error = %v", err)
				}
				defer lk.Unlock(t.Context())
				if took < 100*time.Millisecond {
					t.Errorf("Lock() took over after %v, before the record's lease of 100ms", took)
				}
				if gets < 3 {
					t.Errorf("%d GetItem calls before the takeover, want one per Poll (20ms) over the lease (100ms)", gets)
				}
			})
		})
	}
}

// TestRetriedRequestsThatLanded checks a Locker against requests that
// landed but whose answers were lost, so that the SDK sent them again and
// the second attempt's condition failed on the first one's write: the
// Locker recognises its own record by the rvn it wrote.
func TestRetriedRequestsThatLanded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		var (
			mu     sync.Mutex
			record map[string]types.AttributeValue
		)
		ccf := &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
		f := &fakeAPI{
			OnGet: func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
				mu.Lock()
				defer mu.Unlock()
				return &dynamodb.GetItemOutput{Item: record}, nil
			},
			OnPut: func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
				mu.Lock()
				defer mu.Unlock()
				record = in.Item
				return nil, ccf
			},
			OnUpdate: func(in *dynamodb.UpdateItemInput) (*dynamodb.UpdateItemOutput, error) {
				mu.Lock()
				defer mu.Unlock()
				next := map[string]types.AttributeValue{}
				for k, v := range record {
					next[k] = v
				}
				next["rvn"] = in.ExpressionAttributeValues[":next"]
				record = next
				return nil, ccf
			},
			OnDelete: func(*dynamodb.DeleteItemInput) (*dynamodb.DeleteItemOutput, error) {
				mu.Lock()
				defer mu.Unlock()
				record = nil
				return nil, ccf
			},
		}
		const lease, heartbeat = time.Second, 50 * time.Millisecond
		l, err := dynamolock.New(f, func(o *dynamolock.Options) {
			o.Table, o.Lease, o.Heartbeat, o.Poll = "locks", lease, heartbeat, heartbeat
		})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		lk, err := l.Lock(t.Context(), "k")
		if err != nil {
			t.Fatalf("Lock() error = %v", err)
		}
		if took := time.Since(start); took >= lease {
			t.Errorf("Lock() took %v, a lease or more: it did not see that its PutItem had landed", took)
		}
		time.Sleep(10 * heartbeat) // several renewals, each "retried"
		select {
		case <-lk.Lost():
			t.Fatalf("Lost() closed: a renewal that had landed counted as a takeover (Unlock() error = %v)", lk.Unlock(t.Context()))
		default:
		}
		if err := lk.Unlock(t.Context()); err != nil {
			t.Errorf("Unlock() error = %v, want nil: its DeleteItem had landed", err)
		}
		if n := strings.Count(strings.Join(f.ops(), ","), "UpdateItem"); n < 3 {
			t.Errorf("%d renewals in %v with a heartbeat of %v, want at least 3", n, 10*heartbeat, heartbeat)
		}
	})
}

// tableFake is a fake table of one key's record that honours PutItem's
// condition that no record exists, for waiters in virtual time.
type tableFake struct {
	fakeAPI
	mu     sync.Mutex
	record map[string]types.AttributeValue
}

func newTableFake(record map[string]types.AttributeValue) *tableFake {
	f := &tableFake{record: record}
	f.OnGet = func(*dynamodb.GetItemInput) (*dynamodb.GetItemOutput, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		return &dynamodb.GetItemOutput{Item: f.record}, nil
	}
	f.OnPut = func(in *dynamodb.PutItemInput) (*dynamodb.PutItemOutput, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.record != nil {
			return nil, &types.ConditionalCheckFailedException{Message: aws.String("held")}
		}
		f.record = in.Item
		return &dynamodb.PutItemOutput{}, nil
	}
	return f
}

// release deletes the record, as its holder's Unlock does.
func (f *tableFake) release() {
	f.mu.Lock()
	f.record = nil
	f.mu.Unlock()
}

// TestHandover checks, in virtual time, that a waiter at the default
// Options gets a released lock soon after the release, however long the
// hold was, and that a long wait costs about one read per Poll. (A waiter
// used to read every Heartbeat, 2.5s: up to 2.5s from release to
// handover.)
func TestHandover(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		hold time.Duration // from the waiter's first try to the release
	}{
		{"short hold", 150 * time.Millisecond},
		{"hold of a second", time.Second},
		{"long hold", time.Minute},
	} {
		// The waits are 25ms, 50ms, 100ms... up to Poll, each drawn
		// between half and 1.5 times that: the one under way at the
		// release is at most 1.5 times twice the time waited so far.
		want := min(3*tt.hold+40*time.Millisecond, dynamolock.DefaultPoll*3/2)
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newTableFake(map[string]types.AttributeValue{
					"key": &types.AttributeValueMemberS{Value: "k"}, "owner": &types.AttributeValueMemberS{Value: "other"},
					"rvn": &types.AttributeValueMemberS{Value: "r1"}, "lease_ms": &types.AttributeValueMemberN{Value: "3600000"},
				})
				l, err := dynamolock.New(f, func(o *dynamolock.Options) { o.Table = "locks" })
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				go func() {
					time.Sleep(tt.hold)
					f.release()
				}()
				lk, err := l.Lock(t.Context(), "k")
				if err != nil {
					t.Fatalf("Lock() error = %v", err)
				}
				defer lk.Unlock(t.Context())
				if took := time.Since(start) - tt.hold; took < 0 || took > want {
					t.Errorf("Lock() got the lock %v after the release, want within %v", took, want)
				}
				if tt.hold >= time.Minute {
					// After the first second, about one read per Poll.
					gets := strings.Count(strings.Join(f.ops(), ","), "GetItem")
					want := int(tt.hold / dynamolock.DefaultPoll)
					if gets < want*2/3 || gets > want*3/2+8 {
						t.Errorf("%d GetItem calls in a hold of %v, want about %d (one per Poll, %v)", gets, tt.hold, want, dynamolock.DefaultPoll)
					}
				}
			})
		})
	}
}
