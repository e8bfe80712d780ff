package manifests_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/consortia-dev/consortia/services/platform/natsauth"
)

// deployDir is the repository's deploy folder, as seen from this module.
const deployDir = ".."

// repoRoot is the repository root.
const repoRoot = "../.."

// tree is a copy of deploy/ with the secrets an operator generates before a
// deployment: `consortia nats-config` for both targets, and the MongoDB, OIDC
// and SMTP secrets the overlay's generators read.
type tree struct {
	dir string
	// users are the NATS users' public keys, per target ("k8s", "compose").
	users map[string]map[string]string
}

// k8sSecrets and composeSecrets are where the README tells operators to
// generate the secrets.
var (
	k8sSecrets     = filepath.Join("overlays", "production", "secrets")
	composeSecrets = "secrets"
)

// mongoURI is the example replica-set URI an operator would put in
// secrets/mongodb.env.
const mongoURI = "mongodb://consortia:s3cret@mongo-0.mongo:27017,mongo-1.mongo:27017,mongo-2.mongo:27017/?replicaSet=rs0&w=majority"

func newTree(t *testing.T) *tree {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "deploy")
	err := filepath.WalkDir(deployDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(deployDir, path)
		if d.IsDir() && (rel == "manifests" || d.Name() == "secrets") {
			return filepath.SkipDir // this module; secrets of a local run
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	tr := &tree{dir: dir, users: map[string]map[string]string{}}
	for target, out := range map[string]string{"k8s": k8sSecrets, "compose": composeSecrets} {
		gen, err := natsauth.Generate(filepath.Join(dir, out), natsauth.Spec{Routes: natsauth.Presets[target]}, false)
		if err != nil {
			t.Fatal(err)
		}
		tr.users[target] = gen.Users
	}
	for name, body := range map[string]string{
		"mongodb.env": "uri=" + mongoURI + "\n",
		"oidc.env":    "client_secret=gateway-client-secret\n",
		"smtp.env":    "username=avisos\npassword=smtp-secret\n",
	} {
		tr.write(t, filepath.Join(k8sSecrets, name), body)
	}
	return tr
}

func (tr *tree) path(rel string) string { return filepath.Join(tr.dir, rel) }

func (tr *tree) read(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(tr.path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (tr *tree) write(t *testing.T, rel, body string) {
	t.Helper()
	if err := os.WriteFile(tr.path(rel), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace breaks the copy on purpose: old must be in the file.
func (tr *tree) replace(t *testing.T, rel, old, new string) {
	t.Helper()
	s := tr.read(t, rel)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q: the mutation no longer applies", rel, old)
	}
	tr.write(t, rel, strings.Replace(s, old, new, 1))
}

// report fails t with every problem found.
func report(t *testing.T, what string, errs []error) {
	t.Helper()
	for _, err := range errs {
		t.Errorf("%s: %v", what, err)
	}
}
