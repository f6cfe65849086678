package api_test

import (
	"strconv"
	"sync/atomic"
)

func keyOf(worker int64, i int) string {
	return "bench-" + strconv.FormatInt(worker, 10) + "-" + strconv.Itoa(i)
}

func atomicNext(n *int64) int64 { return atomic.AddInt64(n, 1) }
