// Package testdb gives tests throw-away databases on both engines: a fresh
// SQLite file in the test's temporary directory, and a fresh database on the
// local PostgreSQL server (PINGLINKS_TEST_POSTGRES_URL, default
// postgres://postgres@127.0.0.1:5432/postgres) that is dropped afterwards.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/store"
)

// Engines lists the engines every storage test runs against.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// AdminURL is the PostgreSQL server used to create test databases.
func AdminURL() string {
	if u := os.Getenv("PINGLINKS_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// URL returns the URL of a new, empty database of the given engine that is
// removed when the test ends. A PostgreSQL server that cannot be reached
// fails the test: the PostgreSQL half is not optional.
func URL(tb testing.TB, engine store.Engine) string {
	tb.Helper()
	if engine == store.SQLite {
		return "sqlite://" + filepath.Join(tb.TempDir(), "test.db")
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "pinglinks_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		tb.Fatalf("testdb: create database on %s: %v (is PostgreSQL running?)", AdminURL(), err)
	}
	tb.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	u, _ := url.Parse(AdminURL())
	u.Path = "/" + name
	return u.String()
}

// Open returns a migrated store on a new database, closed when the test ends.
func Open(tb testing.TB, engine store.Engine) *store.Store {
	tb.Helper()
	st, err := store.Open(URL(tb, engine))
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return st
}

// Tenant is a tenant created for a test, with its secret.
type Tenant struct {
	*pinglinks.Tenant
	Secret string
}

// NewTenant creates a sandbox tenant in st.
func NewTenant(tb testing.TB, st *store.Store, name string) Tenant {
	tb.Helper()
	return newTenant(tb, st, name, true)
}

// NewProductionTenant creates a production (not sandbox) tenant.
func NewProductionTenant(tb testing.TB, st *store.Store, name string) Tenant {
	tb.Helper()
	return newTenant(tb, st, name, false)
}

func newTenant(tb testing.TB, st *store.Store, name string, sandbox bool) Tenant {
	t, tree, secret, err := pinglinks.NewTenant(name, sandbox, st.Now())
	if err != nil {
		tb.Fatal(err)
	}
	if err := st.CreateTenant(context.Background(), t, tree); err != nil {
		tb.Fatalf("testdb: create tenant: %v", err)
	}
	return Tenant{t, secret}
}

// Each runs f as a subtest once per engine.
func Each(t *testing.T, f func(t *testing.T, st *store.Store)) {
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			f(t, Open(t, e))
		})
	}
}

// Name returns a readable name for an engine in benchmark output.
func Name(e store.Engine) string { return fmt.Sprint(e) }
