package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/consortia/demo"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/tender/intake/placsp"
)

var importFormats = []string{"placsp", "xlsx", "eforms", "ocds"}

// runImport sends source documents to a running tender service's ImportTenders
// and draws its progress; a folder imports every file in it (sorted by name).
// Importing is idempotent: a second run reports the records as unchanged.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || !slices.Contains(importFormats, args[0]) {
		return fmt.Errorf("usage: consortia import %s PATH... [--cluster tera] [--as tera-manager] [--nuts ES13] [--cpv 72] [--all]", strings.Join(importFormats, "|"))
	}
	format := args[0]
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	cluster := fs.String("cluster", "tera", "owning cluster: a demo cluster key (tera, gira, marca) or a cluster id")
	as := fs.String("as", "tera-manager", "demo user to act as (ignored when CONSORTIA_TOKEN is set)")
	nutsPrefix := fs.String("nuts", "", "only tenders performed in this NUTS prefix, e.g. ES13 (Cantabria)")
	cpvPrefix := fs.String("cpv", "", "only tenders with a CPV code starting with these digits")
	all := fs.Bool("all", false, "import every record, not only those that fit the cluster's profile (its region and its members' CPV interests)")
	addr := fs.String("tender", config.String("CONSORTIA_TENDER_URL", "127.0.0.1:7102"), "tender service address (CONSORTIA_TENDER_URL)")
	state := fs.String("state", config.String("CONSORTIA_STATE_DIR", ".data"), "state folder: development signing key, feed checkpoints")
	fs.Bool("no-checkpoint", false, "placsp: read the whole feed, ignoring (and not updating) the checkpoint")
	// Flags may come after the paths.
	var paths []string
	rest := args[1:]
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths = append(paths, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(paths) == 0 {
		return errors.New("import: no PATH given")
	}
	noCheckpoint := fs.Lookup("no-checkpoint").Value.(flag.Getter).Get().(bool)
	docs, err := documents(ctx, format, paths, *state, noCheckpoint, stderr)
	if err != nil {
		return err
	}
	token := os.Getenv("CONSORTIA_TOKEN")
	if token == "" {
		u, ok := demo.UserByKey(time.Now().Year(), *as)
		if !ok {
			return fmt.Errorf("unknown demo user %q (see: consortia users), or set CONSORTIA_TOKEN", *as)
		}
		iss, err := auth.LoadOrCreateIssuer(*state, devIssuer, devAudience)
		if err != nil {
			return err
		}
		if token, err = iss.Issue(u.Claims, time.Hour); err != nil {
			return err
		}
	}
	clusterID := *cluster
	for _, c := range demo.Clusters {
		if c.Key == clusterID {
			clusterID = demo.ClusterID(c.Key)
		}
	}
	conn, err := dialService(*addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	client := tenderv1.NewTenderServiceClient(conn)
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)

	var total tenderv1.ImportSummary
	for _, d := range docs {
		f, content := d.name, d.content
		if d.format == "intake-json" && d.records == 0 {
			fmt.Fprintf(stdout, "%s: nothing new since the last run (checkpoint %s)\n", f, d.checkpointFile)
			continue
		}
		stream, err := client.ImportTenders(ctx, &tenderv1.ImportTendersRequest{
			ClusterId: clusterID, Format: d.format, Content: content, Filename: filepath.Base(f), NutsPrefix: *nutsPrefix, CpvPrefix: *cpvPrefix,
			ClusterProfile: !*all,
		}, grpc.MaxCallSendMsgSize(64<<20))
		if err != nil {
			return err
		}
		var sum *tenderv1.ImportSummary
		for {
			msg, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmt.Fprintln(stderr)
				return fmt.Errorf("%s: %w", f, err)
			}
			drawProgress(stderr, filepath.Base(f), int(msg.GetDone()), int(msg.GetTotal()))
			if msg.GetSummary() != nil {
				sum = msg.GetSummary()
			}
		}
		fmt.Fprintln(stderr)
		if sum == nil {
			return fmt.Errorf("%s: the service ended without a summary", f)
		}
		printSummary(stdout, filepath.Base(f), sum)
		if d.commit != nil {
			if err := d.commit(); err != nil {
				return fmt.Errorf("save checkpoint: %w", err)
			}
		}
		total.Created += sum.GetCreated()
		total.Updated += sum.GetUpdated()
		total.Unchanged += sum.GetUnchanged()
		total.Tombstoned += sum.GetTombstoned()
		total.Filtered += sum.GetFiltered()
		total.Withdrawn += sum.GetWithdrawn()
		for reason, n := range sum.GetFilteredBy() {
			if total.FilteredBy == nil {
				total.FilteredBy = map[string]int32{}
			}
			total.FilteredBy[reason] += n
		}
		total.Rejected = append(total.Rejected, sum.GetRejected()...)
	}
	if len(docs) > 1 {
		printSummary(stdout, "total", &total)
	}
	return nil
}

func expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range entries {
			if !e.IsDir() {
				names = append(names, filepath.Join(p, e.Name()))
			}
		}
		sort.Strings(names)
		out = append(out, names...)
	}
	return out, nil
}

func drawProgress(w io.Writer, name string, done, total int) {
	const width = 30
	if total <= 0 {
		fmt.Fprintf(w, "\r%-28s %d records", name, done)
		return
	}
	filled := width * done / total
	fmt.Fprintf(w, "\r%-28s [%s%s] %d/%d", name, strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
}

func printSummary(w io.Writer, name string, s *tenderv1.ImportSummary) {
	withdrawn := ""
	if n := s.GetWithdrawn(); n > 0 {
		withdrawn = fmt.Sprintf(" (%d of them withdrawn at the source before being imported: nothing to cancel)", n)
	}
	fmt.Fprintf(w, "%s: %d new, %d updated, %d unchanged, %d tombstoned, %d filtered out%s, %d rejected\n",
		name, s.GetCreated(), s.GetUpdated(), s.GetUnchanged(), s.GetTombstoned(), s.GetFiltered(), withdrawn, len(s.GetRejected()))
	reasons := slices.Sorted(maps.Keys(s.GetFilteredBy()))
	for _, reason := range reasons {
		fmt.Fprintf(w, "  filtered out %d: %s\n", s.GetFilteredBy()[reason], reason)
	}
	for _, r := range s.GetRejected() {
		fmt.Fprintf(w, "  rejected %s: %s\n", r.GetRecord(), r.GetReason())
	}
}

// document is one import request: a source file as is, or the new records of a
// paged PLACSP feed in the neutral intake JSON format.
type document struct {
	name, format   string
	content        []byte
	records        int
	checkpointFile string
	commit         func() error // saves the feed checkpoint after a successful import
}

// documents reads the paths: files and folders as they are, except PLACSP feeds,
// which are read page by page following their rel="next" links (a file, a
// folder of pages or an http(s) URL) and keep a checkpoint in the state folder,
// so a second run sends only the entries that changed.
func documents(ctx context.Context, format string, paths []string, state string, noCheckpoint bool, progress io.Writer) ([]document, error) {
	if format != "placsp" {
		files, err := expand(paths)
		if err != nil {
			return nil, err
		}
		var out []document
		for _, f := range files {
			content, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, document{name: f, format: format, content: content})
		}
		return out, nil
	}
	var out []document
	for _, loc := range paths {
		cpFile := filepath.Join(state, "feed-checkpoints", fmt.Sprintf("%x.json", sha256.Sum256([]byte(loc))))
		cp := &placsp.Checkpoint{}
		if !noCheckpoint {
			var err error
			if cp, err = placsp.LoadCheckpoint(cpFile); err != nil {
				return nil, err
			}
		}
		res, err := placsp.ReadFeed(ctx, loc, cp, func(done, _ int) { drawProgress(progress, "reading "+filepath.Base(loc), done, 0) })
		fmt.Fprintln(progress)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", loc, err)
		}
		for _, r := range res.Rejected {
			fmt.Fprintf(progress, "  rejected while reading %s: %s\n", r.Record, r.Reason)
		}
		content, err := json.Marshal(res.Tenders)
		if err != nil {
			return nil, err
		}
		d := document{name: loc, format: "intake-json", content: content, records: len(res.Tenders), checkpointFile: cpFile}
		if !noCheckpoint {
			d.commit = func() error {
				if err := os.MkdirAll(filepath.Dir(cpFile), 0o700); err != nil {
					return err
				}
				return cp.Save(cpFile)
			}
		}
		out = append(out, d)
	}
	return out, nil
}
