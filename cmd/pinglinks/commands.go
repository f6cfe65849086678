package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/dashboard"
	pinglinkssandbox "github.com/pinglinks/pinglinks/sandbox"
	"github.com/pinglinks/pinglinks/store"
)

// migrateCmd is `pinglinks migrate`.
type migrateCmd struct {
	databaseFlags `embed:""`
}

func (c *migrateCmd) Run(g *globals) error {
	st, err := openStore(g.ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(g.stdout, "schema is up to date")
	return nil
}

// tenantCmd groups the tenant subcommands.
type tenantCmd struct {
	Create tenantCreateCmd `cmd:"" help:"Create a tenant and print its credentials as JSON."`
}

type tenantCreateCmd struct {
	databaseFlags `embed:""`
	Name          string `required:"" help:"The tenant's name."`
	Env           string `env:"PINGLINKS_ENV" enum:"sandbox,production" default:"sandbox" help:"Create a sandbox or a production tenant."`
	PublicURL     string `env:"PINGLINKS_PUBLIC_URL" default:"http://127.0.0.1:8080" help:"Base URL of the server, for the sandbox outbox link."`
}

func (c *tenantCreateCmd) Run(g *globals) error {
	st, err := openStore(g.ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	creds, err := createTenant(g.ctx, st, c.Name, c.Env == "sandbox")
	if err != nil {
		return err
	}
	if creds.SandboxOutboxURL != "" {
		creds.SandboxOutboxURL = strings.TrimRight(c.PublicURL, "/") + creds.SandboxOutboxURL
	}
	creds.OwnerSignInURL = strings.TrimRight(c.PublicURL, "/") + creds.OwnerSignInURL
	enc := json.NewEncoder(g.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // the outbox link's "&" stays readable
	return enc.Encode(creds)
}

// backupCmd is `pinglinks backup FILE`.
type backupCmd struct {
	databaseFlags `embed:""`
	File          string `arg:"" type:"path" help:"Where to write the copy; must not exist yet."`
}

func (c *backupCmd) Run(g *globals) error {
	if err := store.Backup(g.ctx, c.DatabaseURL, c.File); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "backed up to %s\n", c.File)
	return nil
}

// benchBaselineCmd is a baseline server of the load benchmark, which
// bench starts as a child process: one insert per request, or the floor.
type benchBaselineCmd struct {
	databaseFlags `embed:""`
	Addr          string `env:"PINGLINKS_ADDR" default:"127.0.0.1:8080" help:"Listen address."`
	Kind          string `enum:"insert,floor" default:"insert" help:"insert (one row per request) or floor (the flow's writes in the fewest round trips)."`
}

func (c *benchBaselineCmd) Run(g *globals) error {
	return serveBaseline(g.ctx, c.DatabaseURL, c.Addr, c.Kind)
}

func openStore(ctx context.Context, databaseURL string) (*store.Store, error) {
	st, err := store.Open(databaseURL)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

type credentials struct {
	TenantID    string `json:"tenant_id"`
	APISecret   string `json:"api_secret"`
	SplitTreeID string `json:"split_tree_id"`
	// SandboxOutboxURL is the tenant's secret link to its sandbox outbox
	// (a path until a caller prefixes the public URL).
	SandboxOutboxURL string `json:"sandbox_outbox_url,omitempty"`
	// OwnerSignInURL is the first owner's link into the dashboard (docs/dashboard.md),
	// good for 7 days, once (a path until a caller prefixes the public URL).
	OwnerSignInURL string `json:"owner_sign_in_url"`
}

func createTenant(ctx context.Context, st *store.Store, name string, sandbox bool) (credentials, error) {
	if name == "" {
		return credentials{}, errors.New("a tenant needs a --name")
	}
	t, tree, secret, err := pinglinks.NewTenant(name, sandbox, st.Now())
	if err != nil {
		return credentials{}, err
	}
	if err := st.CreateTenant(ctx, t, tree); err != nil {
		return credentials{}, err
	}
	creds := credentials{TenantID: t.ID.String(), APISecret: secret, SplitTreeID: tree.ID.String()}
	if creds.OwnerSignInURL, err = dashboard.OwnerInvite(ctx, st, t.ID); err != nil {
		return credentials{}, err
	}
	if sandbox {
		creds.SandboxOutboxURL = pinglinkssandbox.OutboxURL("", t)
	}
	return creds, nil
}
