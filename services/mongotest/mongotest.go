// Package mongotest gives tests (and `consortia dev --read-models mongo`) a MongoDB wire-protocol server
// without a MongoDB install: FerretDB embedded as a library over SQLite, or a real MongoDB when
// CONSORTIA_TEST_MONGODB_URI is set. It lives in its own module so product binaries do not link FerretDB
// unless they ask for it.
package mongotest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvURI names the variable that points the tests at a real MongoDB instead of the embedded FerretDB.
const EnvURI = "CONSORTIA_TEST_MONGODB_URI"

// Embedded starts a MongoDB-compatible server (FerretDB, SQLite handler) on a free loopback port with its
// data in dir (created if missing). FerretDB logs every request and reports every refused command as a
// warning (the driver's endSessions at each disconnect, for one), so only its errors reach logger (nil
// discards them). stop closes the listener and the SQLite files and waits for both.
func Embedded(ctx context.Context, dir string, logger *slog.Logger) (uri string, stop func(), err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, fmt.Errorf("mongotest: data folder: %w", err)
	}
	handler := slog.DiscardHandler
	if logger != nil {
		handler = minLevel{min: slog.LevelError, next: logger.Handler()}
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
	how  string // how the server runs, for the log
	err  error
	// helper is the helper process's stdin: kept open (and referenced, so no
	// finalizer closes it) while this binary runs; its end stops the helper.
	helper io.WriteCloser
}

// helperPackage is the command that serves FerretDB outside the test binary.
const helperPackage = "github.com/consortia-dev/consortia/services/mongotest/cmd/mongotest-ferretdb"

// URI returns the connection string of the test backend: CONSORTIA_TEST_MONGODB_URI when set, otherwise
// one embedded FerretDB shared by the whole test binary (data in a temporary folder). The FerretDB runs in
// a helper process built without the race detector (`go run -race=false`), or in this process when the go
// command is not at hand. It logs which backend runs and fails the test when none can start; it never skips.
func URI(t testing.TB) string {
	t.Helper()
	if uri := os.Getenv(EnvURI); uri != "" {
		t.Logf("mongo backend: %s", Backend())
		return uri
	}
	shared.once.Do(func() {
		var helperErr error
		if shared.uri, shared.helper, helperErr = startHelper(); helperErr == nil {
			shared.how = "in a helper process"
			return
		}
		// One server per binary: it outlives any single test, so it gets its own folder and context
		// and is never stopped (the process exit ends it).
		shared.how = fmt.Sprintf("in the test process (no helper process: %v)", helperErr)
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
	t.Logf("mongo backend: %s, %s", Backend(), shared.how)
	return shared.uri
}

// startHelper runs cmd/mongotest-ferretdb and returns its connection string
// and its stdin, which must stay open as long as the server is needed.
func startHelper() (string, io.WriteCloser, error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		goCmd = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	// -race=false also overrides a -race in GOFLAGS; go run caches the built
	// helper, so later test binaries only check it is up to date.
	cmd := exec.Command(goCmd, "run", "-race=false", helperPackage)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		_ = stdin.Close()
		return "", nil, fmt.Errorf("%s %s: %v (its output is above); %w", goCmd, strings.Join(cmd.Args[1:], " "), cmd.Wait(), err)
	}
	go func() { _ = cmd.Wait() }() // reap it when it ends
	return strings.TrimSpace(line), stdin, nil
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
