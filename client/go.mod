module github.com/pinglinks/pinglinks/client

// The lowest Go this package needs: iterators (iter, range over func) are 1.23.
go 1.23
