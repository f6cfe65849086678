package main

import (
	"strings"

	"github.com/alecthomas/kong"
)

// The operator's commands (SPEC §11, §13) on the command line: `pinglinks
// import FILE…` and `pinglinks operator …`, the same actions as the
// operator API. bank.go does the work.

// operatorBase is what every operator command needs: the database and
// whether the platform is a sandbox.
type operatorBase struct {
	databaseFlags `embed:""`
	Env           string `env:"PINGLINKS_ENV" enum:"sandbox,production" default:"sandbox" help:"sandbox or production."`
}

// run opens the store and runs the operator subcommand sub.
func (b *operatorBase) run(g *globals, sub string, f operatorFlags, args ...string) error {
	st, err := openStore(g.ctx, b.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	empty := ""
	for _, p := range []**string{&f.name, &f.status, &f.tenant, &f.link} {
		if *p == nil {
			*p = &empty
		}
	}
	return runOperator(g.ctx, st, b.Env == "sandbox", sub, f, args, g.stdout)
}

// importCmd is `pinglinks import FILE…`.
type importCmd struct {
	operatorBase `embed:""`
	bankFlags    `embed:""`
	Files        []string `arg:"" type:"existingfile" help:"BgMax or Nets OCR giro files."`
}

func (c *importCmd) Run(g *globals) error {
	st, err := openStore(g.ctx, c.DatabaseURL)
	if err != nil {
		return err
	}
	defer st.Close()
	return runImport(g.ctx, st, c.Env == "sandbox", c.accounts(), c.Files, g.stdout)
}

// operatorCmd groups the operator's subcommands.
type operatorCmd struct {
	Create        opCreateCmd       `cmd:"" help:"Create an operator credential for /operator/api/v1 (printed once)."`
	Tenants       opListCmd         `cmd:"" help:"List tenants."`
	TenantCreate  opTenantCreateCmd `cmd:"" name:"tenant-create" help:"Create a tenant."`
	TenantDisable opIDCmd           `cmd:"" name:"tenant-disable" help:"Disable a tenant."`
	Merchants     opMerchantsCmd    `cmd:"" help:"List merchants (CREATED: awaiting review)."`
	Approve       opIDCmd           `cmd:"" help:"Approve a merchant under review."`
	Reject        opIDCmd           `cmd:"" help:"Reject a merchant under review."`
	BankFiles     opListCmd         `cmd:"" name:"bank-files" help:"List imported bank files."`
	Unmatched     opListCmd         `cmd:"" help:"List unmatched bank payments."`
	Assign        opAssignCmd       `cmd:"" help:"Book an unmatched bank payment to a link."`
	Return        opIDCmd           `cmd:"" help:"Mark an unmatched bank payment returned."`
}

// command is the name of the operator subcommand being run (kong's path
// "operator approve <id>" → "approve").
func command(kctx *kong.Context) string {
	words := strings.Fields(kctx.Command()) // "operator approve <id>"
	if len(words) < 2 {
		return ""
	}
	return words[1]
}

type opCreateCmd struct {
	operatorBase `embed:""`
	Name         string `required:"" help:"The operator's name."`
}

func (c *opCreateCmd) Run(g *globals) error {
	return c.run(g, "create", operatorFlags{name: &c.Name})
}

type opTenantCreateCmd struct {
	operatorBase `embed:""`
	Name         string `required:"" help:"The tenant's name."`
}

func (c *opTenantCreateCmd) Run(g *globals) error {
	return c.run(g, "tenant-create", operatorFlags{name: &c.Name})
}

// opListCmd is a subcommand with no arguments (tenants, bank-files, unmatched).
type opListCmd struct {
	operatorBase `embed:""`
}

func (c *opListCmd) Run(g *globals, kctx *kong.Context) error {
	return c.run(g, command(kctx), operatorFlags{})
}

// opIDCmd is a subcommand on one id (tenant-disable, approve, reject, return).
type opIDCmd struct {
	operatorBase `embed:""`
	ID           string `arg:"" help:"The id."`
}

func (c *opIDCmd) Run(g *globals, kctx *kong.Context) error {
	return c.run(g, command(kctx), operatorFlags{}, c.ID)
}

type opMerchantsCmd struct {
	operatorBase `embed:""`
	Status       string `enum:",CREATED,APPROVED,DENIED" default:"" help:"Only merchants in this status: CREATED, APPROVED or DENIED."`
}

func (c *opMerchantsCmd) Run(g *globals) error {
	return c.run(g, "merchants", operatorFlags{status: &c.Status})
}

type opAssignCmd struct {
	operatorBase `embed:""`
	ID           string `arg:"" help:"The unmatched bank payment."`
	Tenant       string `required:"" help:"The tenant id."`
	Link         string `required:"" help:"The payment link id."`
}

func (c *opAssignCmd) Run(g *globals) error {
	return c.run(g, "assign", operatorFlags{tenant: &c.Tenant, link: &c.Link}, c.ID)
}
