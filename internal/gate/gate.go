package gate

import (
	"context"
	"errors"
	"sync/atomic"
)

// ErrStopped is the reason of a write that was not sent because its gate
// closed first.
var ErrStopped = errors.New("not sent: the work was stopped before this write's turn")

// Gate is one unit of work's permission to send writes, and whether it
// sent any.
type Gate struct {
	stop context.Context
	sent atomic.Bool
}

type key struct{}

// With returns a context that carries a new Gate, which closes when stop
// ends, and the Gate.
func With(ctx, stop context.Context) (context.Context, *Gate) {
	g := &Gate{stop: stop}
	return context.WithValue(ctx, key{}, g), g
}

// From returns the Gate in ctx, or nil.
func From(ctx context.Context) *Gate {
	g, _ := ctx.Value(key{}).(*Gate)
	return g
}

// Check returns ErrStopped once g is closed; nil for a nil g.
func (g *Gate) Check() error {
	if g != nil && g.stop.Err() != nil {
		return ErrStopped
	}
	return nil
}

// AfterClose calls f in its own goroutine once g closes, as
// context.AfterFunc does, and returns the function that stops that.
func (g *Gate) AfterClose(f func()) (stop func() bool) {
	return context.AfterFunc(g.stop, f)
}

// MarkSent records that a write of g's work was sent.
func (g *Gate) MarkSent() {
	if g != nil {
		g.sent.Store(true)
	}
}

// Sent reports whether a write of g's work was sent.
func (g *Gate) Sent() bool { return g != nil && g.sent.Load() }
