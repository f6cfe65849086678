// Package sdktest tests the Go SDK (the separate module in client/) against
// the platform itself: every call over HTTP to a real server on both
// engines, and callback signatures made by the server's own signer. These
// tests live in the server's module so that the SDK's module needs nothing
// but the standard library; the SDK's own tests (cd client && go test ./...)
// use fake servers.
package sdktest
