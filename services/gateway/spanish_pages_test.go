package gateway_test

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	_ "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	_ "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	_ "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/gateway/web"
	"github.com/consortia-dev/consortia/services/platform/vocab"
)

// spanishChecker finds what a Spanish page must not show: English catalogue
// texts, raw ids (UUIDs, user subjects, event type names, enum value names,
// capability ids) and message keys shown as text.
type spanishChecker struct {
	english  map[string]string // English text → catalogue key (or "capability")
	keys     map[string]bool   // every catalogue key
	spaces   map[string]bool   // the keys' first segments ("tender" of "tender.title")
	events   map[string]bool   // domain event message names (ConsortiumFormed)
	enums    map[string]bool   // enum value names (TENDER_STATUS_ACTIVE)
	capIDs   map[string]bool   // capability ids (software-development)
	patterns []*regexp.Regexp  // English texts with arguments, as patterns
	patKeys  []string
}

var (
	esUUID    = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	esSubject = regexp.MustCompile(`\b(user|system|service):[\w.:@-]+`)
	esSnake   = regexp.MustCompile(`\b[A-Z][A-Z0-9]*(_[A-Z0-9]+){2,}\b`)
	esWord    = regexp.MustCompile(`[\p{L}\p{N}_.:@-]+`)
	esVerb    = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[vdsfgqx%]`)
)

// esAmbiguous are English catalogue texts a Spanish page may show on its own:
// words spelt the same in both languages in another sense, codes and proper
// names ("CPV", "NIF", "ENS", "OpenAPI", "Consortia"), and labels too short to
// tell apart from data. They are left out of the check on purpose.
var esAmbiguous = map[string]bool{
	"CPV": true, "NIF": true, "ENS": true, "OK": true, "OpenAPI": true, "Consortia": true, "JSON": true, "CSV": true,
	"XLSX": true, "Email": true, "E-mail": true, "Webhook": true, "Webhooks": true, "Token (JWT)": true, "UTE": true,
	"ISO": true, "Total": true, "Error": true, "General": true, "Normal": true, "Social": true, "Local": true, "Real": true,
	"Final": true, "Digital": true, "Regional": true, "Demo": true, "demo": true,
	// The language switch names each language in itself.
	"English": true, "Español": true,
}

// esEnglishWords are English words that are not Spanish ones: a text with two
// of them is English prose (a service's English explanation or detail, English
// demo data), whether or not the catalogue has it.
var esEnglishWords = map[string]bool{
	"the": true, "and": true, "of": true, "by": true, "with": true, "for": true, "is": true, "are": true, "than": true,
	"from": true, "into": true, "this": true, "that": true, "which": true, "to": true, "at": true, "on": true, "be": true,
	"not": true, "or": true, "its": true, "per": true, "has": true, "have": true, "was": true, "were": true, "you": true, "your": true,
	"then": true, "first": true, "does": true, "held": true, "until": true, "below": true, "above": true, "required": true,
	"members": true, "member": true, "team": true,
}

func newSpanishChecker(t *testing.T) *spanishChecker {
	t.Helper()
	es, en := web.Messages("es"), web.Messages("en")
	if len(es) == 0 || len(en) == 0 {
		t.Fatal("the console catalogue is empty")
	}
	c := &spanishChecker{english: map[string]string{}, keys: map[string]bool{}, spaces: map[string]bool{}, events: map[string]bool{}, enums: map[string]bool{}, capIDs: map[string]bool{}}
	for k, v := range en {
		c.keys[k] = true
		ns, _, _ := strings.Cut(k, ".")
		c.spaces[ns] = true
		v = strings.Join(strings.Fields(v), " ")
		if v == strings.Join(strings.Fields(es[k]), " ") || esAmbiguous[v] || len([]rune(v)) < 4 {
			continue
		}
		if esVerb.MatchString(v) {
			// "Lot %s" → ^Lot .+$; only texts with letters of their own.
			letters := 0
			for _, r := range esVerb.ReplaceAllString(v, "") {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if letters < 3 {
				continue
			}
			parts := esVerb.Split(v, -1)
			for i := range parts {
				parts[i] = regexp.QuoteMeta(parts[i])
			}
			c.patterns = append(c.patterns, regexp.MustCompile(`(?s)^`+strings.Join(parts, `.+`)+`$`))
			c.patKeys = append(c.patKeys, k)
			continue
		}
		c.english[v] = k
	}
	for _, capa := range vocab.Capabilities {
		c.capIDs[capa.ID] = true
		if capa.LabelEN != capa.LabelES && !esAmbiguous[capa.LabelEN] {
			c.english[capa.LabelEN] = "capability " + capa.ID
		}
	}
	protoregistry.GlobalFiles.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		if !strings.HasPrefix(string(f.Package()), "consortia.") {
			return true
		}
		if strings.HasSuffix(f.Path(), "_events.proto") {
			for i := range f.Messages().Len() {
				c.events[string(f.Messages().Get(i).Name())] = true
			}
		}
		var enums func(protoreflect.EnumDescriptors)
		enums = func(es protoreflect.EnumDescriptors) {
			for i := range es.Len() {
				vals := es.Get(i).Values()
				for j := range vals.Len() {
					c.enums[string(vals.Get(j).Name())] = true
				}
			}
		}
		enums(f.Enums())
		for i := range f.Messages().Len() {
			enums(f.Messages().Get(i).Enums())
		}
		return true
	})
	if len(c.events) < 20 || len(c.enums) < 20 || len(c.english) < 200 {
		t.Fatalf("checker built from too little: %d events, %d enum values, %d English texts", len(c.events), len(c.enums), len(c.english))
	}
	return c
}

// problems returns what is wrong with one visible text of a Spanish page.
func (c *spanishChecker) problems(text string) []string {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return nil
	}
	var out []string
	trimmed := strings.Trim(text, " ·:,;()✔✘—–-·/|»«\"'")
	if k, ok := c.english[trimmed]; ok {
		out = append(out, fmt.Sprintf("English text %q (%s)", trimmed, k))
	} else {
		for eng, k := range c.english {
			if len(strings.Fields(eng)) >= 2 && len(eng) >= 10 && strings.Contains(text, eng) {
				out = append(out, fmt.Sprintf("English text %q (%s) in %q", eng, k, text))
			}
		}
	}
	for i, re := range c.patterns {
		if re.MatchString(trimmed) {
			out = append(out, fmt.Sprintf("English text %q (%s)", trimmed, c.patKeys[i]))
		}
	}
	english := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if esEnglishWords[w] {
			english[w] = true
		}
	}
	if len(english) >= 2 {
		out = append(out, fmt.Sprintf("English prose %q", text))
	}
	if m := esUUID.FindString(text); m != "" {
		out = append(out, fmt.Sprintf("raw id %s in %q", m, text))
	}
	if m := esSubject.FindString(text); m != "" {
		out = append(out, fmt.Sprintf("user subject %s in %q", m, text))
	}
	if m := esSnake.FindString(text); m != "" {
		out = append(out, fmt.Sprintf("enum name %s in %q", m, text))
	}
	for _, w := range esWord.FindAllString(text, -1) {
		w = strings.Trim(w, ".:-")
		ns, rest, dotted := strings.Cut(w, ".")
		switch {
		case strings.Contains(w, "@"): // an e-mail address
		case c.events[w]:
			out = append(out, fmt.Sprintf("event type %s in %q", w, text))
		case c.enums[w] && strings.Contains(w, "_"):
			out = append(out, fmt.Sprintf("enum name %s in %q", w, text))
		case c.capIDs[w] && (strings.Contains(w, "-") || w == trimmed):
			out = append(out, fmt.Sprintf("capability id %s in %q", w, text))
		case dotted && rest != "" && (c.keys[w] || c.spaces[ns] && strings.ToLower(ns) == ns):
			// Locale.T shows a missing key as is: "event.Foo", "tender.nope".
			out = append(out, fmt.Sprintf("message key %s in %q", w, text))
		}
	}
	return out
}

// esText is a visible text and where it is (the id of the nearest element
// that has one).
type esText struct{ Text, Where string }

// esVisibleTexts returns a page's visible texts (text nodes outside script and
// style; title, placeholder, aria-label and alt attributes; the value of
// buttons) and the links it has (with the actions of its GET forms).
func esVisibleTexts(t *testing.T, page string) (texts []esText, links []string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	var walk func(n *html.Node, where string)
	walk = func(n *html.Node, where string) {
		switch n.Type {
		case html.TextNode:
			texts = append(texts, esText{n.Data, where})
			return
		case html.ElementNode:
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Template:
				return
			}
			button := n.DataAtom == atom.Button
			if n.DataAtom == atom.Form { // a GET form is a link to its action (recommendations, filters)
				method, action := "get", ""
				for _, a := range n.Attr {
					switch a.Key {
					case "method":
						method = strings.ToLower(a.Val)
					case "action":
						action = a.Val
					}
				}
				if method == "get" && action != "" {
					links = append(links, action)
				}
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "id":
					where = "#" + a.Val
				case "title", "placeholder", "aria-label", "alt":
					texts = append(texts, esText{a.Val, where})
				case "type":
					button = button || (n.DataAtom == atom.Input && (a.Val == "submit" || a.Val == "button" || a.Val == "reset"))
				case "href":
					if n.DataAtom == atom.A {
						links = append(links, a.Val)
					}
				}
			}
			if button {
				for _, a := range n.Attr {
					if a.Key == "value" && n.DataAtom == atom.Input {
						texts = append(texts, esText{a.Val, where})
					}
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, where)
		}
	}
	walk(doc, "")
	return texts, links
}

// esRouteSegments are the literal path segments of the console's routes; any
// other segment is an id, so /tenders/a and /tenders/b are one route.
var esRouteSegments = map[string]bool{
	"home": true, "tenders": true, "import": true, "new": true, "recommend": true, "consortia": true, "invitations": true,
	"matching": true, "profile": true, "overview": true, "commissions": true, "members": true, "notifications": true,
	"preferences": true, "webhooks": true, "dev": true, "mailbox": true, "admin": true,
}

// esRouteOf is the pattern a console URL is deduplicated by: ids become {id}; of
// the query only "lot" counts (a lot's recommendations are their own page).
func esRouteOf(u *url.URL) string {
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	for i, s := range segs {
		if !esRouteSegments[s] {
			segs[i] = "{id}"
		}
	}
	r := "/" + strings.Join(segs, "/")
	if u.Query().Has("lot") {
		r += "?lot"
	}
	return r
}

// esSkipLink tells links the crawl does not follow: other sites, assets,
// downloads, the API description and the language switch.
func esSkipLink(u *url.URL) bool {
	p := u.Path
	return u.Host != "" || u.Scheme != "" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/v1/") ||
		p == "/openapi.json" || strings.HasSuffix(p, "/export") || p == "/notifications/count" || u.Query().Get("lang") == "en" || p == ""
}

// esPagesPerRoute is how many pages of one route each persona checks: a few,
// so that a tender with lots, a consortium in another state or a second
// commission are seen too, and the walk stays quick.
const esPagesPerRoute = 3

// TestSpanishPages signs in as each persona, walks every console page reachable
// from the navigation and the links on pages (one page per route), in Spanish,
// and fails on any English catalogue text, raw id or message key it shows.
// The sign-in page is checked signed out.
func TestSpanishPages(t *testing.T) {
	s := startStack(t, true)
	check := newSpanishChecker(t)

	// A page with each kind of problem fails (the checker can fail).
	for _, bad := range []string{"Audit trail", "ConsortiumFormed by user:demo:tera-manager", "TENDER_STATUS_ACTIVE",
		"software-development", "0b8f3c2e-1d4a-4f6b-9c7e-5a2d1e3f4b6c", "tender.title.col", "event.NoSuchEvent", "Software development", "Hello, Lucía",
		"Fewest members first; then the highest score"} {
		if len(check.problems(bad)) == 0 {
			t.Errorf("the checker accepts %q", bad)
		}
	}
	for _, good := range []string{"Historial", "Licitación de servicios de desarrollo web para el Ayuntamiento", "Consorcio creado por Lucía", "Desarrollo de software", "Lote 3", "CPV 72000000"} {
		if p := check.problems(good); len(p) > 0 {
			t.Errorf("the checker refuses %q: %v", good, p)
		}
	}

	checkPage := func(t *testing.T, c *http.Client, path string) (links []string) {
		t.Helper()
		resp := get(t, c, s.URL+path)
		page := body(t, resp)
		switch {
		case resp.StatusCode == http.StatusSeeOther || resp.StatusCode == http.StatusFound:
			return []string{resp.Header.Get("Location")}
		case !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"):
			return nil
		case resp.StatusCode != http.StatusOK:
			t.Logf("%s: status %d (its text is checked too)", path, resp.StatusCode)
		}
		if !strings.Contains(page, `<html lang="es">`) {
			t.Errorf("%s: not a Spanish page", path)
		}
		texts, links := esVisibleTexts(t, page)
		seen := map[string]bool{}
		for _, tx := range texts {
			for _, p := range check.problems(tx.Text) {
				if !seen[p] {
					seen[p] = true
					t.Errorf("%s %s: %s", path, tx.Where, p)
				}
			}
		}
		return links
	}

	t.Run("signin", func(t *testing.T) {
		c := consoleClient(t)
		checkPage(t, c, "/?lang=es")
	})

	// The routes each persona must reach (the walk finds more): a walk that
	// stopped early would pass without having seen the pages.
	personas := []struct {
		user  string
		reach []string
	}{
		{"tera-manager", []string{"/home", "/tenders", "/tenders/{id}", "/tenders/{id}/recommend", "/tenders/new", "/tenders/import",
			"/consortia/{id}", "/members", "/commissions", "/commissions/{id}", "/notifications", "/notifications/preferences"}},
		{"company1", []string{"/home", "/matching", "/invitations", "/profile", "/tenders/{id}", "/consortia/{id}", "/commissions",
			"/notifications", "/notifications/webhooks"}},
		{"agency", []string{"/home", "/overview", "/tenders/{id}", "/consortia/{id}", "/commissions", "/commissions/{id}"}},
		{"admin", []string{"/home", "/overview", "/tenders", "/tenders/{id}", "/consortia/{id}", "/commissions"}},
	}
	for _, p := range personas {
		user := p.user
		t.Run(user, func(t *testing.T) {
			c := consoleClient(t)
			post(t, c, s.URL+"/signin", url.Values{"user": {user}}).Body.Close()
			get(t, c, s.URL+"/home?lang=es").Body.Close()
			seen := map[string]int{} // route → pages of it checked
			visited := map[string]bool{}
			queue := []string{"/home"}
			for len(queue) > 0 {
				next := queue[0]
				queue = queue[1:]
				u, err := url.Parse(next)
				if err != nil || esSkipLink(u) {
					continue
				}
				r := esRouteOf(u)
				if seen[r] == esPagesPerRoute || visited[u.RequestURI()] {
					continue
				}
				seen[r]++
				visited[u.RequestURI()] = true
				for _, l := range checkPage(t, c, u.RequestURI()) {
					queue = append(queue, l)
				}
			}
			routes := slices.Sorted(maps.Keys(seen))
			t.Logf("%s: %d pages of %d routes: %s", user, len(visited), len(routes), strings.Join(routes, " "))
			for _, r := range p.reach {
				if seen[r] == 0 {
					t.Errorf("%s: the walk never reached %s", user, r)
				}
			}
		})
	}
}
