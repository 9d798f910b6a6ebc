package mongo

import (
	"testing"

	"github.com/shequn/shequn/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.RunCore(t, func(t *testing.T) storetest.Core { return mustOpen(t) })
}
