package placsp

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/consortia-dev/consortia/services/tender/intake"
)

// Checkpoint remembers what a previous ReadFeed returned, so that the next run
// over the same feed yields only entries that changed.
//
// ReadFeed updates the checkpoint in memory; save it with Save once the
// returned tenders have been imported, so that a failed import is retried.
type Checkpoint struct {
	// Newest is the newest entry (or tombstone) update time seen. PLACSP pages
	// run from newest to oldest, so once a whole page is not newer than this,
	// the older pages behind it were read by an earlier run.
	Newest time.Time `json:"newest"`
	// Seen holds the last update time returned per SourceID.
	Seen map[string]time.Time `json:"seen"`
}

// LoadCheckpoint reads a checkpoint written by Save. A missing file yields an
// empty checkpoint, as for a first run.
func LoadCheckpoint(file string) (*Checkpoint, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return &Checkpoint{Seen: map[string]time.Time{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	var cp Checkpoint
	if err := json.Unmarshal(data, &cp); err != nil {
		return nil, fmt.Errorf("decode checkpoint %s: %w", file, err)
	}
	if cp.Seen == nil {
		cp.Seen = map[string]time.Time{}
	}
	return &cp, nil
}

// Save writes the checkpoint as JSON, atomically (temporary file + rename).
func (c *Checkpoint) Save(file string) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), filepath.Base(file)+".*.tmp")
	if err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	return nil
}

// isNew reports whether a record updated at t is newer than what was returned before.
func (c *Checkpoint) isNew(id string, t time.Time) bool {
	if c == nil {
		return true
	}
	last, ok := c.Seen[id]
	return !ok || t.After(last)
}

// mark records that a record updated at t was returned.
func (c *Checkpoint) mark(id string, t time.Time) {
	if c == nil {
		return
	}
	if c.Seen == nil {
		c.Seen = map[string]time.Time{}
	}
	if last, ok := c.Seen[id]; !ok || t.After(last) {
		c.Seen[id] = t
	}
	if t.After(c.Newest) {
		c.Newest = t
	}
}

// Reader reads a paged feed. The zero value is ready to use.
type Reader struct {
	// Client fetches http(s) pages; nil means http.DefaultClient.
	Client *http.Client
	// MaxPages stops after that many pages; 0 means no limit.
	MaxPages int
	// MaxPageBytes caps the size of one page; 0 means 512 MiB.
	MaxPageBytes int64
}

// ReadFeed reads the feed at location with a zero Reader; see Reader.Read.
func ReadFeed(ctx context.Context, location string, cp *Checkpoint, progress func(done, total int)) (intake.Result, error) {
	var r Reader
	return r.Read(ctx, location, cp, progress)
}

// Read reads the feed page at location and follows its rel="next" links.
//
// location is an http(s) URL, an .atom file or a directory. Next links are
// resolved against the page URL; for files, the link's file name is looked up
// in the same directory. For a directory, reading starts at the .atom file
// that no other file in it links to as next.
//
// When a SourceID appears on several pages only its newest version is kept.
// With a non-nil cp, records not newer than the ones returned by earlier runs
// are left out, reading stops at the first page that holds nothing newer than
// cp.Newest, and cp is updated with what was returned (rejected records
// included, so the same bad record is not reported twice).
//
// progress, which may be nil, is called after each entry; total is 0 because
// the number of pages is not known in advance.
func (r *Reader) Read(ctx context.Context, location string, cp *Checkpoint, progress func(done, total int)) (intake.Result, error) {
	var res intake.Result
	loc, err := r.start(ctx, location)
	if err != nil {
		return res, err
	}
	var previous time.Time
	if cp != nil {
		previous = cp.Newest
	}
	index := map[string]int{} // SourceID → position in res.Tenders
	visited := map[string]bool{}
	done := 0
	for pages := 0; loc != ""; pages++ {
		if r.MaxPages > 0 && pages >= r.MaxPages {
			break
		}
		if visited[loc] {
			return res, fmt.Errorf("feed pages loop back to %s", loc)
		}
		visited[loc] = true
		if err := ctx.Err(); err != nil {
			return res, err
		}
		page, err := r.readPage(ctx, loc, func(n, _ int) { intake.Progress(progress).Report(done+n, 0) })
		if err != nil {
			return res, err
		}
		done += len(page.Result.Tenders) + len(page.Result.Rejected)

		pageHasNewer := false
		for _, t := range page.Result.Tenders {
			if t.Updated.After(previous) {
				pageHasNewer = true
			}
			if !cp.isNew(t.SourceID, t.Updated) {
				continue
			}
			if i, ok := index[t.SourceID]; ok {
				if t.Updated.After(res.Tenders[i].Updated) {
					res.Tenders[i] = t
				}
				continue
			}
			index[t.SourceID] = len(res.Tenders)
			res.Tenders = append(res.Tenders, t)
		}
		for _, rej := range page.Result.Rejected {
			res.Rejected = append(res.Rejected, intake.Rejected{Record: loc + ": " + rej.Record, Reason: rej.Reason})
			pageHasNewer = true // cannot tell its date; keep reading to be safe
		}
		if cp != nil && !previous.IsZero() && !pageHasNewer {
			break // everything behind this page was returned by an earlier run
		}
		if page.Next == "" {
			break
		}
		if loc, err = r.resolve(loc, page.Next); err != nil {
			return res, err
		}
	}
	for _, t := range res.Tenders {
		cp.mark(t.SourceID, t.Updated)
	}
	return res, nil
}

// isURL reports whether location is an http(s) URL.
func isURL(location string) bool {
	u, err := url.Parse(location)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// start returns the first page to read.
func (r *Reader) start(ctx context.Context, location string) (string, error) {
	if isURL(location) {
		return location, nil
	}
	info, err := os.Stat(location)
	if err != nil {
		return "", fmt.Errorf("open feed: %w", err)
	}
	if !info.IsDir() {
		return location, nil
	}
	return headFile(ctx, location)
}

// headFile finds the first page in a directory of .atom files: the one that no
// other file names as its next page.
func headFile(ctx context.Context, dir string) (string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.atom"))
	if err != nil {
		return "", fmt.Errorf("list feed directory: %w", err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("no .atom files in %s", dir)
	}
	linked := map[string]bool{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		next, err := nextLinkOf(f)
		if err != nil {
			return "", err
		}
		if next != "" {
			linked[linkFileName(next)] = true
		}
	}
	var heads []string
	for _, f := range files {
		if !linked[filepath.Base(f)] {
			heads = append(heads, f)
		}
	}
	if len(heads) != 1 {
		return "", fmt.Errorf("cannot tell the first page in %s: %d candidates", dir, len(heads))
	}
	return heads[0], nil
}

// nextLinkOf reads a page's header, up to its first entry, for the next link.
func nextLinkOf(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("open feed page: %w", err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return "", nil
		}
		if err != nil {
			return "", fmt.Errorf("read %s: %w", file, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth != 2 {
				continue
			}
			switch t.Name.Local {
			case "entry", "deleted-entry":
				return "", nil // header is over
			case "link":
				var l atomLink
				if err := dec.DecodeElement(&l, &t); err != nil {
					return "", fmt.Errorf("read %s: %w", file, err)
				}
				depth--
				if l.Rel == "next" {
					return strings.TrimSpace(l.Href), nil
				}
			}
		case xml.EndElement:
			depth--
		}
	}
}

// linkFileName returns the file name a next link points to.
func linkFileName(href string) string {
	if u, err := url.Parse(href); err == nil && u.Path != "" {
		return path.Base(u.Path)
	}
	return path.Base(href)
}

// resolve turns a page's next href into the location of the next page.
func (r *Reader) resolve(current, next string) (string, error) {
	if isURL(current) {
		base, err := url.Parse(current)
		if err != nil {
			return "", fmt.Errorf("page url %q: %w", current, err)
		}
		ref, err := url.Parse(next)
		if err != nil {
			return "", fmt.Errorf("next link %q: %w", next, err)
		}
		return base.ResolveReference(ref).String(), nil
	}
	name := linkFileName(next)
	if name == "" || name == "." || name == "/" {
		return "", fmt.Errorf("next link %q has no file name", next)
	}
	return filepath.Join(filepath.Dir(current), name), nil
}

// readPage opens and parses one page.
func (r *Reader) readPage(ctx context.Context, loc string, progress func(int, int)) (Feed, error) {
	limit := r.MaxPageBytes
	if limit <= 0 {
		limit = 512 << 20
	}
	var body io.ReadCloser
	if isURL(loc) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
		if err != nil {
			return Feed{}, fmt.Errorf("fetch %s: %w", loc, err)
		}
		req.Header.Set("Accept", "application/atom+xml, application/xml;q=0.9, */*;q=0.1")
		client := r.Client
		if client == nil {
			client = http.DefaultClient
		}
		resp, err := client.Do(req)
		if err != nil {
			return Feed{}, fmt.Errorf("fetch %s: %w", loc, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return Feed{}, fmt.Errorf("fetch %s: %s", loc, resp.Status)
		}
		body = resp.Body
	} else {
		f, err := os.Open(loc)
		if err != nil {
			return Feed{}, fmt.Errorf("open feed page: %w", err)
		}
		body = f
	}
	defer body.Close()
	lr := &io.LimitedReader{R: body, N: limit + 1}
	page, err := ParseFeed(lr, progress)
	if err != nil {
		return Feed{}, fmt.Errorf("%s: %w", loc, err)
	}
	if lr.N <= 0 {
		return Feed{}, fmt.Errorf("%s: page larger than %d bytes", loc, limit)
	}
	return page, nil
}
