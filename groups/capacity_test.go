package groups_test

import (
	"testing"

	"github.com/shequn/shequn"
	"github.com/shequn/shequn/groups"
)

// The capacity rule is written once, here, and Register enforces it
// before it touches the chat or the store.
func TestCapacityRule(t *testing.T) {
	for n, want := range map[int]bool{-1: false, 0: false, 1: true, 69: true, 200000: true, 200001: false} {
		if got := groups.ValidCapacity(n); got != want {
			t.Errorf("ValidCapacity(%d) = %v, want %v", n, got, want)
		}
	}
	s := &groups.Service{} // no store, no platform: nothing may be reached
	for _, n := range []int{0, 200001} {
		_, err := s.Register(t.Context(), groups.RegisterRequest{ChatID: -100, Kind: groups.KindCore, Capacity: n, By: 1})
		if shequn.ErrorCode(err) != shequn.CodeInvalid {
			t.Errorf("Register with capacity %d: %v, want invalid", n, err)
		}
	}
}
