package dynamolock

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mathrand "math/rand/v2"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	rserrors "github.com/scopekeeper/scopekeeper/errors"
	"github.com/scopekeeper/scopekeeper/internal/keylock"
	"github.com/scopekeeper/scopekeeper/internal/wait"
	"github.com/scopekeeper/scopekeeper/resourceserver"
)

// Defaults for the Options fields left zero.
const (
	DefaultLease     = 10 * time.Second
	DefaultHeartbeat = DefaultLease / 4
	// DefaultPoll is the default Poll: a waiter that has backed off reads
	// the record twice a second on average, 2 read units a second (see
	// Options.Poll).
	DefaultPoll = 500 * time.Millisecond
)

// firstPoll is a waiter's first wait after it sees a new holder; each
// next wait doubles, up to Poll.
const firstPoll = 25 * time.Millisecond

// The attributes of a lock's item. The table's partition key is "key", a
// string.
const (
	attrKey   = "key"      // the lock's key, as the Client gives it
	attrOwner = "owner"    // Options.Owner of the holder
	attrRVN   = "rvn"      // record version number, new on every write
	attrLease = "lease_ms" // the holder's Lease in milliseconds
)

// Options configures a Locker.
type Options struct {
	// Table is the DynamoDB table that holds the locks, with a string
	// partition key named "key" (see CreateTable). Required: 3 to 255
	// letters, digits, '_', '-' and '.'.
	Table string

	// Lease is how long a lock outlives its holder's last renewal: a
	// waiter takes it over once it has seen the same record version for a
	// Lease, and the holder counts it lost a Lease after it began its last
	// successful renewal. Zero means DefaultLease; otherwise at least
	// 10ms.
	Lease time.Duration

	// Heartbeat is how often a holder renews its lease. Zero means a
	// quarter of Lease; otherwise it must be below Lease/2, so that one
	// late or failed renewal does not lose the lock.
	Heartbeat time.Duration

	// Owner names this Locker in the lock records, for people and for
	// HeldError. Zero means the host name followed by a random suffix.
	Owner string

	// Poll is how long, on average, a waiting Lock waits between two
	// reads of the record once it has backed off. A waiter that sees a
	// new holder (the record's owner changed, or it just began to wait)
	// reads again after 25ms, then after twice as long each time, up to
	// Poll. Most holds last one read-modify-write, well under a second:
	// a waiter then reads again soon after the release (within three
	// times as long as the hold had lasted, plus 40ms, and never more
	// than 1.5 Poll later), while a long hold costs about one read per
	// Poll. Each wait is drawn at random between half and one and a half
	// times its length, so that waiters spread out. Zero means
	// DefaultPoll, or Heartbeat if that is shorter; otherwise it must be
	// positive.
	//
	// Each read is a consistent GetItem of an item under 1 KB: one read
	// capacity unit (on-demand: one read request unit). A waiting Locker
	// sends about 6 reads in the first 0.8s after it sees a new holder,
	// then 1/Poll a second: at the default, 2 a second, 7,200 in an hour
	// of waiting. Smaller values hand a long-held lock over sooner at the
	// cost of more reads. A holder sends one write (UpdateItem, one write
	// unit) per Heartbeat, and one PutItem and one DeleteItem per lock.
	Poll time.Duration
}

// Locker is a [resourceserver.Locker] whose locks are items in a DynamoDB
// table, held under a lease that the holder renews; see [Locker.Lock]. It
// is safe for concurrent use; each Locker is one owner.
type Locker struct {
	api   API
	opts  Options
	local *keylock.Set
}

// New returns a Locker that keeps its locks in the table Options.Table
// through api, usually a *dynamodb.Client, configured by optFns in order
// (a nil one is skipped). It sends nothing. It returns an *OptionError
// for the first field it refuses.
func New(api API, optFns ...func(*Options)) (*Locker, error) {
	var o Options
	for _, fn := range optFns {
		if fn != nil {
			fn(&o)
		}
	}
	if api == nil {
		return nil, &OptionError{Option: "API", Value: "nil", Rule: "a DynamoDB client is required"}
	}
	if !validTable(o.Table) {
		return nil, &OptionError{Option: "Table", Value: strconv.Quote(o.Table),
			Rule: "a table name is required: 3 to 255 of the characters a-z, A-Z, 0-9, '_', '-' and '.'"}
	}
	switch {
	case o.Lease == 0:
		o.Lease = DefaultLease
	case o.Lease < 10*time.Millisecond:
		return nil, &OptionError{Option: "Lease", Value: o.Lease.String(), Rule: "must be at least 10ms"}
	}
	switch {
	case o.Heartbeat == 0:
		o.Heartbeat = o.Lease / 4
	case o.Heartbeat < 0 || o.Heartbeat >= o.Lease/2:
		return nil, &OptionError{Option: "Heartbeat", Value: o.Heartbeat.String(),
			Rule: fmt.Sprintf("must be positive and below Lease/2 (%v)", o.Lease/2)}
	}
	switch {
	case o.Poll == 0:
		o.Poll = min(DefaultPoll, o.Heartbeat)
	case o.Poll < 0:
		return nil, &OptionError{Option: "Poll", Value: o.Poll.String(), Rule: "must be positive"}
	}
	if o.Owner == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "host"
		}
		o.Owner = host + "-" + rand.Text()[:10]
	}
	return &Locker{api: api, opts: o, local: new(keylock.Set)}, nil
}

// validTable reports whether name is a valid DynamoDB table name.
func validTable(name string) bool {
	if len(name) < 3 || len(name) > 255 {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Options returns the options in force, with the defaults filled in.
func (l *Locker) Options() Options { return l.opts }

// Lock waits until it holds the lock named key, or ctx is done, and
// returns the held lock. Within this process, goroutines that lock the
// same key through the same Locker take turns without asking DynamoDB.
//
// It sends a PutItem of the record {key, owner, rvn, lease_ms}, with a new
// random record version number (rvn), on the condition that no record
// exists. While another owner's record is there it reads it (GetItem,
// consistent) soon after it sees a new holder and then less often, up
// to every Poll (see Options.Poll), and notes when it first saw its rvn;
// once the same rvn has stood for the holder's whole lease (the record's
// lease_ms), it puts its own record on the condition that the rvn is
// still that one.
// No clocks are compared across machines: each side measures only its own
// time. A holder that renews every Heartbeat changes its rvn each time,
// so a waiter never takes over a live lock.
//
// The held lock renews itself every Heartbeat by an UpdateItem that
// writes a new rvn on the condition that the rvn is its own; a failed
// condition means the lock was taken over, and a lease that passes
// without a successful renewal means it may be: either way Lost closes.
// Unlock stops the renewals and sends a DeleteItem on the same
// condition. See [resourceserver.Lock] for the contract.
//
// When a condition fails, the Locker reads the record before it decides:
// if the record carries the rvn it just wrote (or, for Unlock, is gone),
// the SDK retried a request that had landed but whose answer was lost,
// and the write counts as done. An owner name alone never lets a Locker
// take a record over: two Lockers given the same Owner still exclude each
// other.
//
// It returns ctx.Err() when ctx ends first, an *Error when a request
// fails (errors.Is(err, ErrThrottled) for a throttle), and never holds
// the lock after an error.
func (l *Locker) Lock(ctx context.Context, key string) (resourceserver.Lock, error) {
	if err := l.checkKey("Lock", key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	release, err := l.local.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	var (
		seen      string        // the rvn of the other owner's record
		seenAt    time.Time     // when this Locker first read it
		seenLease time.Duration // that record's lease
		holder    string        // that record's owner
		poll      time.Duration // the next wait, before jitter
	)
	for {
		var takeover string
		if seen != "" && time.Since(seenAt) >= seenLease {
			takeover = seen
		}
		lk, it, err := l.put(ctx, key, takeover, release)
		if err != nil {
			release()
			return nil, l.fail(ctx, err.op, key, err.err)
		}
		if lk != nil {
			return lk, nil
		}
		if it == nil {
			continue // released meanwhile
		}
		if it.rvn != seen {
			seen, seenAt, seenLease = it.rvn, time.Now(), it.lease
			if seenLease <= 0 {
				seenLease = l.opts.Lease
			}
		}
		if poll == 0 || it.owner != holder {
			holder, poll = it.owner, min(firstPoll, l.opts.Poll) // a new hold: most are short
		} else {
			poll = min(2*poll, l.opts.Poll)
		}
		d := jitter(poll)
		if left := seenLease - time.Since(seenAt); seen != "" && left < d {
			d = left // a record without an rvn is never taken over
		}
		if err := wait.Sleep(ctx, d); err != nil {
			release()
			return nil, err
		}
	}
}

// jitter returns a random duration in [d/2, 3d/2).
func jitter(d time.Duration) time.Duration {
	return d/2 + mathrand.N(d)
}

// TryLock makes one attempt at the lock named key: it sends the PutItem
// that Lock sends first, and returns a *HeldError (matching ErrHeld) with
// the holder's owner name when a record is there, live or not, or when
// another goroutine of this Locker holds the key. It returns an *Error
// when a request fails. The lock it returns is renewed and released as
// Lock's is.
func (l *Locker) TryLock(ctx context.Context, key string) (resourceserver.Lock, error) {
	if err := l.checkKey("TryLock", key); err != nil {
		return nil, err
	}
	release, ok := l.local.TryLock(key)
	if !ok {
		return nil, &HeldError{Key: key, Owner: l.opts.Owner}
	}
	lk, it, err := l.put(ctx, key, "", release)
	if err != nil {
		release()
		return nil, l.fail(ctx, err.op, key, err.err)
	}
	if lk != nil {
		return lk, nil
	}
	release()
	held := &HeldError{Key: key}
	if it != nil {
		held.Owner = it.owner
	}
	return nil, held
}

// maxKeyBytes is DynamoDB's limit on a partition key.
const maxKeyBytes = 2048

// checkKey returns an *Error for op when key cannot be stored.
func (l *Locker) checkKey(op, key string) error {
	if key == "" || len(key) > maxKeyBytes {
		return &Error{Op: op, Table: l.opts.Table, Key: key,
			Err: fmt.Errorf("key must be 1 to %d bytes, got %d", maxKeyBytes, len(key))}
	}
	return nil
}

// fail returns ctx's error when ctx ended, else err as an *Error.
func (l *Locker) fail(ctx context.Context, op, key string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &Error{Op: op, Table: l.opts.Table, Key: key, Err: err}
}

// opError is a failed request inside the Locker: the operation and the
// SDK's error.
type opError struct {
	op  string
	err error
}

// put writes a new record for key, on the condition that there is none
// or, if takeover is set, that its rvn is takeover, and starts the
// heartbeat of the lock it returns. When the condition fails it reads the
// record and returns it (nil when it is gone), unless the record is the
// one put wrote: the SDK retried a PutItem whose first attempt landed and
// whose answer was lost, and the lock is held. A request that fails for
// another reason may still have written: put then deletes its record, so
// that an error never leaves a lock held.
func (l *Locker) put(ctx context.Context, key, takeover string, release func()) (*lease, *item, *opError) {
	rvn := rand.Text()
	cond := "attribute_not_exists(#k)"
	names := map[string]string{"#k": attrKey}
	var values map[string]types.AttributeValue
	if takeover != "" {
		cond += " OR #r = :seen"
		names["#r"] = attrRVN
		values = map[string]types.AttributeValue{":seen": &types.AttributeValueMemberS{Value: takeover}}
	}
	start := time.Now()
	_, err := l.api.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(l.opts.Table),
		Item: map[string]types.AttributeValue{
			attrKey:   &types.AttributeValueMemberS{Value: key},
			attrOwner: &types.AttributeValueMemberS{Value: l.opts.Owner},
			attrRVN:   &types.AttributeValueMemberS{Value: rvn},
			attrLease: &types.AttributeValueMemberN{Value: strconv.FormatInt(l.opts.Lease.Milliseconds(), 10)},
		},
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	if err != nil && !isConditionFailed(err) {
		// The write may have landed; take back what is ours.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.opts.Lease)
		l.delete(ctx, key, []string{rvn})
		cancel()
		return nil, nil, &opError{"PutItem", err}
	}
	if err != nil {
		it, err := l.get(ctx, key)
		if err != nil {
			return nil, nil, &opError{"GetItem", err}
		}
		if it == nil || it.rvn != rvn {
			return nil, it, nil
		}
	}
	lk := &lease{
		l: l, key: key, release: release,
		lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{}),
		rvn: rvn, deadline: start.Add(l.opts.Lease),
	}
	go lk.beat()
	return lk, nil, nil
}

// item is a lock record as read.
type item struct {
	owner, rvn string
	lease      time.Duration
}

// get reads key's record with a consistent read; nil when there is none.
func (l *Locker) get(ctx context.Context, key string) (*item, error) {
	out, err := l.api.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(l.opts.Table),
		Key:            map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, err
	}
	if len(out.Item) == 0 {
		return nil, nil
	}
	var it item
	if v, ok := out.Item[attrOwner].(*types.AttributeValueMemberS); ok {
		it.owner = v.Value
	}
	if v, ok := out.Item[attrRVN].(*types.AttributeValueMemberS); ok {
		it.rvn = v.Value
	}
	if v, ok := out.Item[attrLease].(*types.AttributeValueMemberN); ok {
		if ms, err := strconv.ParseInt(v.Value, 10, 64); err == nil && ms > 0 {
			it.lease = time.Duration(ms) * time.Millisecond
		}
	}
	return &it, nil
}

// holds reports whether key's record has the rvn, as read now; a failed
// read counts as no.
func (l *Locker) holds(ctx context.Context, key, rvn string) bool {
	it, err := l.get(ctx, key)
	return err == nil && it != nil && it.rvn == rvn
}

// gone reports whether key has no record, as read now; a failed read
// counts as no. A holder whose lease has not run out finds its record
// gone only when its own DeleteItem removed it: no one else may take it
// over sooner.
func (l *Locker) gone(ctx context.Context, key string) bool {
	it, err := l.get(ctx, key)
	return err == nil && it == nil
}

// rvnCondition returns the condition that the record's rvn is one of
// rvns, with its names and values.
func rvnCondition(rvns []string) (string, map[string]string, map[string]types.AttributeValue) {
	cond := "#r IN ("
	values := make(map[string]types.AttributeValue, len(rvns))
	for i, r := range rvns {
		v := ":r" + strconv.Itoa(i)
		if i > 0 {
			cond += ", "
		}
		cond += v
		values[v] = &types.AttributeValueMemberS{Value: r}
	}
	return cond + ")", map[string]string{"#r": attrRVN}, values
}

// delete deletes key's record if its rvn is one of rvns.
func (l *Locker) delete(ctx context.Context, key string, rvns []string) error {
	cond, names, values := rvnCondition(rvns)
	_, err := l.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(l.opts.Table),
		Key:                       map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: key}},
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	return err
}

// renew writes the new rvn next over key's record if its rvn is one of
// rvns.
func (l *Locker) renew(ctx context.Context, key string, rvns []string, next string) error {
	cond, names, values := rvnCondition(rvns)
	names["#o"], names["#l"] = attrOwner, attrLease
	values[":next"] = &types.AttributeValueMemberS{Value: next}
	values[":owner"] = &types.AttributeValueMemberS{Value: l.opts.Owner}
	values[":lease"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(l.opts.Lease.Milliseconds(), 10)}
	_, err := l.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(l.opts.Table),
		Key:                       map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: key}},
		UpdateExpression:          aws.String("SET #r = :next, #o = :owner, #l = :lease"),
		ConditionExpression:       aws.String(cond),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: values,
	})
	return err
}

// Causes of a loss, in the LockLostError.
var (
	errExpired  = errors.New("lease ran out before a renewal succeeded")
	errTakeover = errors.New("record version changed: another owner took the lock over")
)

// lease is a held lock.
type lease struct {
	l       *Locker
	key     string
	release func() // frees the in-process mutex
	lost    chan struct{}
	stop    chan struct{} // closed by Unlock
	done    chan struct{} // closed when the heartbeat has stopped

	mu       sync.Mutex
	rvn      string    // the rvn last written
	unsure   []string  // rvns of renewals whose outcome is unknown
	deadline time.Time // the lease's end as this holder counts it
	cause    error     // why it was lost; nil while held
	stalled  bool      // the heartbeat is stopped (tests)
	unlocked bool
}

// rvnsLocked returns the rvns the record may have.
func (k *lease) rvnsLocked() []string { return append([]string{k.rvn}, k.unsure...) }

// loseLocked records the loss and closes lost, once; an expiry is
// noticed by the clock.
func (k *lease) loseLocked(cause error) {
	if k.cause == nil {
		k.cause = cause
		close(k.lost)
	}
}

// checkLocked marks the lock lost when its lease has run out.
func (k *lease) checkLocked() {
	if k.cause == nil && !time.Now().Before(k.deadline) {
		k.loseLocked(errExpired)
	}
}

// Lost returns the channel that closes when the lock is lost. It checks
// the lease's end first, so that a process that was paused past it
// learns of the loss here even before its heartbeat runs.
func (k *lease) Lost() <-chan struct{} {
	k.mu.Lock()
	k.checkLocked()
	k.mu.Unlock()
	return k.lost
}

// maxUnsure bounds the renewals of unknown outcome a holder remembers.
const maxUnsure = 8

// beat renews the lease every Heartbeat until Unlock or a loss.
func (k *lease) beat() {
	defer close(k.done)
	tick := time.NewTicker(k.l.opts.Heartbeat)
	defer tick.Stop()
	k.mu.Lock()
	expiry := time.NewTimer(time.Until(k.deadline))
	k.mu.Unlock()
	defer expiry.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-expiry.C:
		case <-tick.C:
		}
		k.mu.Lock()
		k.checkLocked()
		if k.cause != nil {
			k.mu.Unlock()
			return
		}
		if k.stalled {
			expiry.Reset(time.Until(k.deadline))
			k.mu.Unlock()
			continue
		}
		rvns, deadline := k.rvnsLocked(), k.deadline
		k.mu.Unlock()

		next := rand.Text()
		start := time.Now()
		// A renewal is worth nothing after the lease's end, and Unlock
		// waits for it.
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := k.l.renew(ctx, k.key, rvns, next)
		if isConditionFailed(err) && k.l.holds(ctx, k.key, next) {
			err = nil // the SDK retried a renewal that had landed
		}
		cancel()

		k.mu.Lock()
		switch {
		case err == nil:
			k.rvn, k.unsure, k.deadline = next, nil, start.Add(k.l.opts.Lease)
		case isConditionFailed(err):
			k.loseLocked(errTakeover)
		default:
			if len(k.unsure) < maxUnsure {
				k.unsure = append(k.unsure, next)
			}
		}
		k.checkLocked()
		lost := k.cause != nil
		expiry.Reset(time.Until(k.deadline))
		k.mu.Unlock()
		if lost {
			return
		}
	}
}

// stall stops the renewals, as a paused process would; for tests.
func (k *lease) stall() {
	k.mu.Lock()
	k.stalled = true
	k.mu.Unlock()
}

// Unlock stops the renewals and, unless another owner has taken the lock
// over, deletes its record with a DeleteItem on the condition that the
// rvn is this holder's. It returns a *rserrors.LockLostError when the lock
// was lost (its lease ran out, even if no one took it, or another owner
// took it over), nil when called again, and an *Error when the
// DeleteItem failed for another reason: the record then expires after a
// lease.
func (k *lease) Unlock(ctx context.Context) error {
	k.mu.Lock()
	if k.unlocked {
		k.mu.Unlock()
		return nil
	}
	k.unlocked = true
	k.mu.Unlock()
	close(k.stop)
	<-k.done // a renewal in flight ends by the lease's end
	defer k.release()

	k.mu.Lock()
	k.checkLocked()
	cause, rvns := k.cause, k.rvnsLocked()
	k.mu.Unlock()
	if errors.Is(cause, errTakeover) {
		return &rserrors.LockLostError{Key: k.key, Err: cause}
	}
	err := k.l.delete(ctx, k.key, rvns)
	if isConditionFailed(err) && cause == nil && k.l.gone(ctx, k.key) {
		err = nil // the SDK retried a DeleteItem that had landed
	}
	if isConditionFailed(err) {
		k.mu.Lock()
		k.loseLocked(errTakeover)
		cause = k.cause
		k.mu.Unlock()
	}
	if cause != nil {
		return &rserrors.LockLostError{Key: k.key, Err: cause}
	}
	if err != nil {
		return k.l.fail(ctx, "DeleteItem", k.key, err)
	}
	return nil
}
