// Command mongotest-ferretdb runs the embedded FerretDB of a test binary in a
// process of its own (mongotest.URI starts it with `go run -race=false`): the
// tests keep the race detector on their own code while the database does not
// pay for it (FerretDB over SQLite is several times slower under -race).
//
// It prints the connection string as the first line of stdout, serves until
// its stdin closes (the test binary ended, however it ended), then stops and
// removes its data folder. FerretDB's errors go to stderr.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/consortia-dev/consortia/services/mongotest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mongotest-ferretdb:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.MkdirTemp("", "consortia-ferretdb-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	uri, stop, err := mongotest.Embedded(context.Background(), dir, logger)
	if err != nil {
		return err
	}
	defer stop()
	if _, err := fmt.Println(uri); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the test binary closes it
	return nil
}
