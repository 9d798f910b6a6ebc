package jobs

import (
	"context"
	"errors"
)

// Fencing: a pass runs with a context that carries its lease's check.
// Whoever is about to act on the outside world (the Telegram sender before
// each call, the reconciler before each step) calls Check; once the lease
// is lost, or the instance is stopping, no further effect starts, while the
// one in flight finishes and is recorded.

// ErrLeaseLost is returned by Check when the pass's lease expired or was
// taken by another instance.
var ErrLeaseLost = errors.New("the lease of this pass was lost")

// ErrStopping is returned by Check when the instance is shutting down: the
// effect in flight finishes, no new one starts.
var ErrStopping = errors.New("the instance is stopping")

type fenceKey struct{}

// WithFence returns ctx carrying check, which Check calls.
func WithFence(ctx context.Context, check func() error) context.Context {
	return context.WithValue(ctx, fenceKey{}, check)
}

// Check reports whether the work of ctx may still act: ctx's own error,
// else its fence's (ErrLeaseLost, ErrStopping); nil without a fence.
func Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if check, ok := ctx.Value(fenceKey{}).(func() error); ok {
		return check()
	}
	return nil
}
