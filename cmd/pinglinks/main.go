// Command pinglinks runs the Ping Payments Links platform.
//
//	pinglinks serve                      API, checkout and workers in one process
//	pinglinks migrate                    bring the database schema up to date
//	pinglinks tenant create --name NAME  create a tenant; prints its credentials as JSON
//	pinglinks backup FILE                consistent copy of a live SQLite database
//	pinglinks demo [--exit]              the whole flow with the market-stall example app
//	pinglinks help [COMMAND]             usage; every command also takes -h
//
// Every setting is a flag with an environment variable as fallback
// (settings.go); the command line is declared in cli.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
	if err == nil {
		return
	}
	fmt.Fprintln(os.Stderr, "pinglinks:", err)
	if errors.As(err, new(usageError)) {
		os.Exit(2)
	}
	os.Exit(1)
}
