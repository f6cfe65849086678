package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/google/uuid"
	"github.com/pinglinks/pinglinks"
	"github.com/pinglinks/pinglinks/api"
	"github.com/pinglinks/pinglinks/flow"
	"github.com/pinglinks/pinglinks/reconcile"
	"github.com/pinglinks/pinglinks/store"
)

// The operator's commands (docs/operator.md): `pinglinks import FILE…` and
// `pinglinks operator …`, the same actions as the operator API.

// runImport books each file and prints its summary. A refused file books
// nothing and makes the command fail; the other files are still booked.
func runImport(ctx context.Context, st *store.Store, sandbox bool, accounts pinglinks.BankAccounts, files []string, stdout io.Writer) error {
	im := &reconcile.Importer{Store: st, Accounts: accounts.WithDefaults(), AcceptTestFiles: sandbox}
	refused := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		bf, err := im.Import(ctx, name, f)
		f.Close()
		if bf == nil {
			return err
		}
		fmt.Fprintf(stdout, "%s: %s\n", name, reconcile.Summary(bf))
		if err != nil {
			if bf.Status != pinglinks.BankFileRefused {
				return err
			}
			refused++
		}
	}
	if refused > 0 {
		return fmt.Errorf("%d of %d files refused", refused, len(files))
	}
	return nil
}

// operatorFlags are the flags of the operator's subcommands.
type operatorFlags struct {
	name, status, tenant, link *string
}

// runOperator runs `pinglinks operator SUBCOMMAND`; args are what follows
// the subcommand and its flags.
func runOperator(ctx context.Context, st *store.Store, sandbox bool, sub string, f operatorFlags, args []string, stdout io.Writer) error {
	name, status, tenant, link := f.name, f.status, f.tenant, f.link
	id := func() (uuid.UUID, error) {
		if len(args) != 1 {
			return uuid.Nil, fmt.Errorf("operator %s needs one id", sub)
		}
		return uuid.Parse(args[0])
	}
	out := json.NewEncoder(stdout)
	out.SetIndent("", "  ")
	switch sub {
	case "create":
		op, secret, err := pinglinks.NewOperator(*name, st.Now())
		if err != nil {
			return err
		}
		if err := st.CreateOperator(ctx, op); err != nil {
			return err
		}
		return out.Encode(map[string]string{"operator_id": op.ID.String(), "operator_secret": secret,
			"use": "Authorization: Bearer " + secret})
	case "tenant-create":
		tid, secret, tree, err := api.CreateTenant(ctx, st, *name, sandbox)
		if err != nil {
			return err
		}
		return out.Encode(credentials{TenantID: tid, APISecret: secret, SplitTreeID: tree})
	case "tenants":
		ts, _, err := st.Tenants(ctx, store.Page{})
		if err != nil {
			return err
		}
		for _, t := range ts {
			state := "enabled"
			if t.DisabledAt != nil {
				state = "disabled " + t.DisabledAt.Format("2006-01-02 15:04")
			}
			fmt.Fprintf(stdout, "%s  %-30s  sandbox=%v  %s\n", t.ID, t.Name, t.Sandbox, state)
		}
		return nil
	case "tenant-disable":
		tid, err := id()
		if err != nil {
			return err
		}
		_, err = st.DisableTenant(ctx, tid)
		return err
	case "merchants":
		ms, _, err := st.MerchantsByStatus(ctx, *status, store.Page{})
		if err != nil {
			return err
		}
		for _, m := range ms {
			fmt.Fprintf(stdout, "%s  %-8s  tenant %s  %s\n", m.ID, m.Status, m.TenantID, m.Name)
		}
		return nil
	case "approve", "reject":
		mid, err := id()
		if err != nil {
			return err
		}
		m, err := flow.New(st).DecideMerchant(ctx, mid, sub == "approve")
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s\n", m.ID, m.Status)
		return nil
	case "bank-files":
		files, _, err := st.BankFiles(ctx, store.Page{})
		if err != nil {
			return err
		}
		for _, f := range files {
			fmt.Fprintf(stdout, "%s  %s  %s: %s\n", f.ID, f.ImportedAt.Format("2006-01-02 15:04"), f.Name, reconcile.Summary(f))
		}
		return nil
	case "unmatched":
		ts, _, err := st.Transfers(ctx, store.TransferFilter{Status: pinglinks.TransferUnmatched}, store.Page{})
		if err != nil {
			return err
		}
		for _, t := range ts {
			fmt.Fprintf(stdout, "%s  %s %s  %s %q  %s\n", t.ID, t.Currency, reconcile.FormatMinor(t.Amount),
				t.ReferenceType, t.Reference, t.Reason)
		}
		return nil
	case "assign":
		bid, err := id()
		if err != nil {
			return err
		}
		tid, err1 := uuid.Parse(*tenant)
		lid, err2 := uuid.Parse(*link)
		if err1 != nil || err2 != nil {
			return errors.New("operator assign needs --tenant and --link ids")
		}
		t, p, err := flow.New(st).AssignTransfer(ctx, bid, tid, lid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s: payment %s %s\n", t.ID, t.Status, p.ID, p.Status)
		return nil
	case "return":
		bid, err := id()
		if err != nil {
			return err
		}
		t, err := flow.New(st).ReturnTransfer(ctx, bid)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s\n", t.ID, t.Status)
		return nil
	}
	return fmt.Errorf("unknown operator command %q", sub)
}
