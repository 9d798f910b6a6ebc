package mongo

import (
	"testing"

	"github.com/shequn/shequn/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Stores { return mustOpen(t) })
}
