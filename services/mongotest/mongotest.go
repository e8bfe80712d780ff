// Package mongotest gives tests (and `consortia dev --read-models mongo`) a MongoDB wire-protocol server
// without a MongoDB install: FerretDB embedded as a library over SQLite, or a real MongoDB when
// CONSORTIA_TEST_MONGODB_URI is set. It lives in its own module so product binaries do not link FerretDB
// unless they ask for it.
package mongotest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvURI names the variable that points the tests at a real MongoDB instead of the embedded FerretDB.
const EnvURI = "CONSORTIA_TEST_MONGODB_URI"

// Embedded starts a MongoDB-compatible server (FerretDB, SQLite handler) on a free loopback port with its
// data in dir (created if missing). FerretDB logs every connection; only warnings and errors reach logger
// (nil discards them). stop closes the listener and the SQLite files and waits for both.
func Embedded(ctx context.Context, dir string, logger *slog.Logger) (uri string, stop func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, fmt.Errorf("mongotest: data folder: %w", err)
	}
	handler := slog.DiscardHandler
	if logger != nil {
		handler = minLevel{min: slog.LevelWarn, next: logger.Handler()}
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    slog.New(handler),
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
	})
	if err != nil {
		return "", nil, fmt.Errorf("mongotest: start FerretDB: %w", err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(runCtx) // returns nil once runCtx ends
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	return f.MongoDBURI(), stop, nil
}

// FerretDBVersion is the FerretDB release this module pins in go.mod (a test keeps the two in step).
const FerretDBVersion = "v1.24.2"

// Backend says which server the tests of this binary use.
func Backend() string {
	if uri := os.Getenv(EnvURI); uri != "" {
		return "MongoDB at " + redact(uri)
	}
	return "FerretDB " + FerretDBVersion + " (embedded, SQLite)"
}

// redact hides the password of a connection string.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "(unparsable URI)"
	}
	return u.Redacted()
}

var shared struct {
	once sync.Once
	uri  string
	err  error
}

// URI returns the connection string of the test backend: CONSORTIA_TEST_MONGODB_URI when set, otherwise
// one embedded FerretDB shared by the whole test binary (data in a temporary folder). It logs which
// backend runs and fails the test when none can start; it never skips.
func URI(t testing.TB) string {
	t.Helper()
	if uri := os.Getenv(EnvURI); uri != "" {
		t.Logf("mongo backend: %s", Backend())
		return uri
	}
	shared.once.Do(func() {
		// One server per binary: it outlives any single test, so it gets its own folder and context
		// and is never stopped (the process exit ends it).
		dir, err := os.MkdirTemp("", "consortia-ferretdb-")
		if err != nil {
			shared.err = err
			return
		}
		shared.uri, _, shared.err = Embedded(context.Background(), dir, nil)
	})
	if shared.err != nil {
		t.Fatalf("mongo backend: embedded FerretDB: %v", shared.err)
	}
	t.Logf("mongo backend: %s", Backend())
	return shared.uri
}

// Database connects a client to the test backend and returns a fresh, uniquely named database; the
// database is dropped and the client disconnected when the test ends.
func Database(t testing.TB) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(URI(t)))
	if err != nil {
		t.Fatalf("mongo backend: connect: %v", err)
	}
	db := client.Database(uniqueName())
	t.Cleanup(func() {
		// t.Context() is already cancelled when cleanups run.
		ctx := context.Background()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("mongo backend: drop database %s: %v", db.Name(), err)
		}
		if err := client.Disconnect(ctx); err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
			t.Errorf("mongo backend: disconnect: %v", err)
		}
	})
	return db
}

// uniqueName is a database name no other test (nor another test binary on the same MongoDB) uses.
func uniqueName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "consortia_test_" + hex.EncodeToString(b[:])
}

// minLevel passes records at or above min to next.
type minLevel struct {
	min  slog.Level
	next slog.Handler
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.next.Enabled(ctx, l)
}

func (h minLevel) Handle(ctx context.Context, r slog.Record) error { return h.next.Handle(ctx, r) }

func (h minLevel) WithAttrs(as []slog.Attr) slog.Handler {
	return minLevel{min: h.min, next: h.next.WithAttrs(as)}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{min: h.min, next: h.next.WithGroup(name)}
}
