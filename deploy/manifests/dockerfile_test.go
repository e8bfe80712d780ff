package manifests_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/consortia-dev/consortia/services/platform/cpv"
	"github.com/consortia-dev/consortia/services/platform/nuts"
)

// instruction is one Dockerfile instruction.
type instruction struct {
	cmd  string // upper case: FROM, COPY, RUN, ...
	args string
	line int
}

func parseDockerfile(file string) ([]instruction, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	start := 0
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := strings.TrimSpace(sc.Text())
		if cur.Len() == 0 && (l == "" || strings.HasPrefix(l, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\") + " ")
			continue
		}
		cur.WriteString(l)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args), line: start})
		cur.Reset()
	}
	return out, sc.Err()
}

// imageDataDir is the CONSORTIA_DATA_DIR the image sets.
func imageDataDir(dir string) (string, error) {
	ins, err := parseDockerfile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		return "", err
	}
	for _, in := range ins {
		if in.cmd == "ENV" {
			for _, kv := range strings.Fields(in.args) {
				if v, ok := strings.CutPrefix(kv, "CONSORTIA_DATA_DIR="); ok {
					return v, nil
				}
			}
		}
	}
	return "", errors.New("the Dockerfile sets no CONSORTIA_DATA_DIR")
}

// checkDockerfile: the final image is distroless :nonroot and runs as
// nonroot; every module the binary needs has its go.mod/go.sum copied before
// the dependency download, and no source before it (so that the download is a
// layer of its own); the code lists are in CONSORTIA_DATA_DIR.
func checkDockerfile(dir string) []error {
	ins, err := parseDockerfile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		return []error{err}
	}
	var errs []error
	var stages [][]instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) > 0 {
			stages[len(stages)-1] = append(stages[len(stages)-1], in)
		}
	}
	if len(stages) < 2 {
		return []error{errors.New("Dockerfile: want a build stage and a final stage")}
	}
	final := stages[len(stages)-1]
	if !strings.HasPrefix(final[0].args, "gcr.io/distroless/") || !strings.HasSuffix(final[0].args, ":nonroot") {
		errs = append(errs, fmt.Errorf("Dockerfile line %d: the final stage must be a distroless :nonroot image, not %s", final[0].line, final[0].args))
	}
	if i := slices.IndexFunc(final, func(in instruction) bool { return in.cmd == "USER" }); i < 0 || !regexp.MustCompile(`^(nonroot|65532)(:(nonroot|65532))?$`).MatchString(final[i].args) {
		errs = append(errs, errors.New("Dockerfile: the final stage must run as USER nonroot"))
	}

	// Layer order in the build stage.
	build := stages[0]
	download := slices.IndexFunc(build, func(in instruction) bool { return in.cmd == "RUN" && strings.Contains(in.args, "go mod download") })
	if download < 0 {
		errs = append(errs, errors.New("Dockerfile: no `go mod download` layer"))
	} else {
		copied := map[string]bool{}
		for _, in := range build[:download] {
			if in.cmd != "COPY" {
				continue
			}
			srcs := strings.Fields(in.args)
			for _, s := range srcs[:len(srcs)-1] {
				if path.Base(s) != "go.mod" && path.Base(s) != "go.sum" && path.Base(s) != "go.work" && path.Base(s) != "go.work.sum" {
					errs = append(errs, fmt.Errorf("Dockerfile line %d: %s is copied before `go mod download`: every source change would download the modules again", in.line, s))
				}
				copied[s] = true
			}
		}
		mods, err := consortiaModules()
		if err != nil {
			errs = append(errs, err)
		}
		for _, m := range mods {
			for _, f := range []string{"go.mod", "go.sum"} {
				if !copied[m+"/"+f] {
					errs = append(errs, fmt.Errorf("Dockerfile: %s/%s is not copied before `go mod download`", m, f))
				}
			}
		}
	}

	// The code lists the services validate against.
	dataDir, err := imageDataDir(dir)
	if err != nil {
		errs = append(errs, err)
	}
	var dests []string
	for _, in := range final {
		if in.cmd == "COPY" && strings.Contains(in.args, "--from=data") {
			f := strings.Fields(in.args)
			dests = append(dests, strings.TrimSuffix(f[len(f)-1], "/"))
		}
	}
	for _, need := range []string{cpv.CodesFile, cpv.LabelsESFile, nuts.LabelsFile, "ocds/schema"} {
		if !slices.ContainsFunc(dests, func(d string) bool { return strings.HasPrefix(path.Join(dataDir, need), d) }) {
			errs = append(errs, fmt.Errorf("Dockerfile: the image does not carry %s in CONSORTIA_DATA_DIR=%s", need, dataDir))
		}
	}
	return errs
}

// consortiaModules are the repository modules services/consortia builds
// from (itself and its replace targets), relative to the repository root.
func consortiaModules() ([]string, error) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "services", "consortia", "go.mod"))
	if err != nil {
		return nil, err
	}
	mods := []string{"services/consortia"}
	for _, m := range regexp.MustCompile(`=>\s*(\.\./\S+)`).FindAllStringSubmatch(string(b), -1) {
		mods = append(mods, path.Clean(path.Join("services/consortia", m[1])))
	}
	return mods, nil
}

// ignorePatterns reads a .dockerignore file.
func ignorePatterns(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var ps []string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			ps = append(ps, l)
		}
	}
	return ps, nil
}

// ignored reports whether the build context leaves out rel (the last matching
// pattern wins; "!" re-includes; a pattern matching a parent folder matches).
func ignored(patterns []string, rel string) bool {
	out := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		re := globRegexp(p)
		matched := false
		for d := rel; d != "." && d != "/" && d != ""; d = path.Dir(d) {
			if re.MatchString(d) {
				matched = true
				break
			}
		}
		if matched {
			out = !neg
		}
	}
	return out
}

func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch {
		case strings.HasPrefix(p[i:], "**/"):
			b.WriteString("(.*/)?")
			i += 2
		case strings.HasPrefix(p[i:], "**"):
			b.WriteString(".*")
			i++
		case p[i] == '*':
			b.WriteString("[^/]*")
		case p[i] == '?':
			b.WriteString("[^/]")
		default:
			b.WriteString(regexp.QuoteMeta(p[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// checkBuildContext: the build context (the repository root through
// deploy/Dockerfile.dockerignore) holds every file the binary is compiled
// from, as `go list` reports them with the workspace off (as the image builds
// it), and none of the local state or secrets.
func checkBuildContext(dir string) []error {
	patterns, err := ignorePatterns(filepath.Join(dir, "Dockerfile.dockerignore"))
	if err != nil {
		return []error{err}
	}
	var errs []error
	for _, secret := range []string{".data/dev-issuer.pem", ".git/config", ".bin/buf", "deploy/secrets/member.nk", "deploy/overlays/production/secrets/nats-server.conf", "services/consortia/.data/nats"} {
		if !ignored(patterns, secret) {
			errs = append(errs, fmt.Errorf("Dockerfile.dockerignore: %s would be in the build context", secret))
		}
	}
	cmd := exec.Command("go", "list", "-deps", "-json=Dir,GoFiles,EmbedFiles,Module", ".")
	cmd.Dir = filepath.Join(repoRoot, "services", "consortia")
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=readonly")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, ee.Stderr)
		}
		return append(errs, fmt.Errorf("go list (GOWORK=off, as the image builds): %w", err))
	}
	root, _ := filepath.Abs(repoRoot)
	dec := json.NewDecoder(strings.NewReader(string(out)))
	files := 0
	for dec.More() {
		var pkg struct {
			Dir                 string
			GoFiles, EmbedFiles []string
		}
		if err := dec.Decode(&pkg); err != nil {
			return append(errs, err)
		}
		rel, err := filepath.Rel(root, pkg.Dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue // a module from the proxy
		}
		for _, f := range append(pkg.GoFiles, pkg.EmbedFiles...) {
			files++
			if p := filepath.ToSlash(filepath.Join(rel, f)); ignored(patterns, p) {
				errs = append(errs, fmt.Errorf("Dockerfile.dockerignore leaves out %s, which the binary is built from", p))
			}
		}
	}
	if files == 0 {
		errs = append(errs, errors.New("go list found no repository files: the check checked nothing"))
	}
	return errs
}
