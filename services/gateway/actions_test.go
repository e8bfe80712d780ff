package gateway_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/consortia-dev/consortia/services/consortia/demo"
)

// The pages × personas test: every persona crawls the console by its links
// and submits, for real, every form it is offered. None may be refused for
// permission: a button the user may not use must not be shown.

// formField is one named control of a form, with its default value.
type formField struct {
	Name, Type, Value string
	Required          bool
	Checked           bool     // checkbox and radio
	Options           []string // select: the options' values, the selected one first
}

// pageForm is a <form> of a page with its submit buttons.
type pageForm struct {
	Method, Action, Enctype string
	Fields                  []formField
	Buttons                 []formField // submit buttons (Name and Value may be empty)
}

// pageLinks is what a console page offers: links and forms.
type pageLinks struct {
	Links []string
	Forms []pageForm
}

func actAttr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func actText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// parsePage reads a page's links and forms.
func parsePage(t *testing.T, page string) pageLinks {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	var out pageLinks
	var form *pageForm
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "a":
				if href, ok := actAttr(n, "href"); ok {
					out.Links = append(out.Links, href)
				}
			case "form":
				method, _ := actAttr(n, "method")
				action, _ := actAttr(n, "action")
				enc, _ := actAttr(n, "enctype")
				out.Forms = append(out.Forms, pageForm{Method: strings.ToUpper(actOr(method, "GET")), Action: action, Enctype: enc})
				form = &out.Forms[len(out.Forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
				form = nil
				return
			case "input", "select", "textarea", "button":
				if form != nil {
					addControl(form, n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func actOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// addControl adds an input, select, textarea or button to a form.
func addControl(f *pageForm, n *html.Node) {
	name, _ := actAttr(n, "name")
	typ, _ := actAttr(n, "type")
	val, _ := actAttr(n, "value")
	_, req := actAttr(n, "required")
	_, checked := actAttr(n, "checked")
	_, disabled := actAttr(n, "disabled")
	if disabled {
		return
	}
	switch n.Data {
	case "button":
		if actOr(typ, "submit") == "submit" {
			f.Buttons = append(f.Buttons, formField{Name: name, Value: val})
		}
	case "input":
		switch typ = actOr(typ, "text"); typ {
		case "submit":
			f.Buttons = append(f.Buttons, formField{Name: name, Value: val})
		case "checkbox", "radio":
			f.Fields = append(f.Fields, formField{Name: name, Type: typ, Value: actOr(val, "on"), Checked: checked, Required: req})
		default:
			f.Fields = append(f.Fields, formField{Name: name, Type: typ, Value: val, Required: req})
		}
	case "textarea":
		f.Fields = append(f.Fields, formField{Name: name, Type: "textarea", Value: actText(n), Required: req})
	case "select":
		fd := formField{Name: name, Type: "select", Required: req}
		var walk func(*html.Node)
		walk = func(c *html.Node) {
			if c.Type == html.ElementNode && c.Data == "option" {
				v, ok := actAttr(c, "value")
				if !ok {
					v = strings.TrimSpace(actText(c))
				}
				if _, sel := actAttr(c, "selected"); sel {
					fd.Options = append([]string{v}, fd.Options...)
				} else {
					fd.Options = append(fd.Options, v)
				}
			}
			for k := c.FirstChild; k != nil; k = k.NextSibling {
				walk(k)
			}
		}
		walk(n)
		f.Fields = append(f.Fields, fd)
	}
}

// values are the form's defaults as a browser submits them with button b; a
// required field left empty gets a plausible value, so that the action
// reaches the service's permission check rather than stopping at a browser's
// "please fill in this field".
func (f pageForm) values(b formField, year int) url.Values {
	v := url.Values{}
	radios := map[string]bool{}
	for _, fd := range f.Fields {
		if fd.Name == "" {
			continue
		}
		switch fd.Type {
		case "checkbox":
			if fd.Checked {
				v.Add(fd.Name, fd.Value)
			}
		case "radio":
			if fd.Checked && !radios[fd.Name] {
				v.Set(fd.Name, fd.Value)
				radios[fd.Name] = true
			}
		case "select":
			if len(fd.Options) > 0 {
				v.Add(fd.Name, fd.Options[0])
			}
		case "file":
		default:
			val := fd.Value
			if val == "" && fd.Required {
				switch fd.Type {
				case "number":
					val = "1"
				case "date":
					val = fmt.Sprintf("%d-11-30", year+1)
				case "time":
					val = "12:00"
				case "email":
					val = "prueba@example.invalid"
				case "url":
					val = "https://example.invalid/hook"
				default:
					val = "Prueba de permisos"
				}
			}
			v.Add(fd.Name, val)
		}
	}
	if b.Name != "" {
		v.Set(b.Name, b.Value)
	}
	return v
}

// key identifies a form with one of its buttons on a page, to find it again.
func (f pageForm) key(b formField) string {
	return f.Method + " " + f.Action + " " + b.Name + "=" + b.Value
}

// actIDSegment is a path segment that names an object rather than a page.
var actIDSegment = regexp.MustCompile(`^[0-9a-f]{8}-|[0-9]|^org-|^[a-z0-9-]{20,}$`)

// pattern is a URL with its object ids replaced, so that the crawl visits a
// few instances of each kind of page rather than every tender.
func actPattern(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if actIDSegment.MatchString(s) {
			segs[i] = "{id}"
		}
	}
	keys := []string{}
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(segs, "/") + "?" + strings.Join(keys, "&")
}

// actSkipLink: links that leave the console, change the language or sign out.
func actSkipLink(u *url.URL) bool {
	return u.Host != "" || u.Path == "" || u.Path == "/" || strings.HasPrefix(u.Path, "/static/") ||
		u.Path == "/openapi.json" || u.Query().Has("lang") || u.Path == "/signout"
}

// typedIn marks a page the crawl opens by its address rather than by a link.
const typedIn = "(typed in)"

// tenderPath is a tender page's path.
var tenderPath = regexp.MustCompile(`^/tenders/[0-9a-f-]{36}$`)

// offered is an action found on a page.
type offered struct {
	Page string // where it was found (path and query)
	Form pageForm
	Btn  formField
}

// refusal says whether a response (after its redirect) is a permission
// refusal, and why; "" when it is not.
func refusal(status int, page string) string {
	flash := ""
	if i := strings.Index(page, `id="flash"`); i >= 0 {
		flash = page[i:min(len(page), i+600)]
		if j := strings.Index(flash, "</div>"); j >= 0 {
			flash = flash[:j]
		}
	}
	lower := strings.ToLower(flash)
	switch {
	case status == http.StatusForbidden:
		return "403 page: " + actErrorText(page)
	case strings.Contains(flash, "No tiene permiso"):
		return "refused: " + flash
	case strings.Contains(lower, "may not") || strings.Contains(lower, "permission") || strings.Contains(flash, "user:demo:"):
		return "the service's English refusal: " + flash
	case rawEnglish.MatchString(headline(flash)):
		return "the service's English error on a Spanish page: " + flash
	}
	return ""
}

// rawEnglish is the start of a gRPC status message passed on as is ("invalid
// argument: ...", "failed precondition: ...").
var rawEnglish = regexp.MustCompile(`^\s*(invalid argument|failed precondition|not found|already exists|permission denied|internal|unavailable|aborted|out of range|unimplemented|resource exhausted|deadline exceeded|canceled|unknown)\b`)

// headline is a flash's message without its list of items.
func headline(flash string) string {
	flash = strings.TrimPrefix(flash, `id="flash">`)
	if i := strings.Index(flash, "<ul>"); i >= 0 {
		flash = flash[:i]
	}
	return flash
}

func actErrorText(page string) string {
	if m := regexp.MustCompile(`(?s)<main>(.*?)</main>`).FindStringSubmatch(page); m != nil {
		return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")), " ")
	}
	return page[:min(200, len(page))]
}

// submit posts a form with button b and returns the status and the page the
// answer leads to (following one redirect).
func submit(t *testing.T, c *http.Client, s *stack, f pageForm, b formField) (int, string) {
	t.Helper()
	v := f.values(b, s.Year)
	var req *http.Request
	var err error
	target := s.URL + f.Action
	if f.Method == http.MethodGet {
		u, _ := url.Parse(target)
		u.RawQuery = v.Encode()
		req, err = http.NewRequest(http.MethodGet, u.String(), nil)
	} else if f.Enctype == "multipart/form-data" {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, vs := range v {
			for _, x := range vs {
				_ = mw.WriteField(k, x)
			}
		}
		for _, fd := range f.Fields {
			if fd.Type == "file" && fd.Name != "" {
				w, _ := mw.CreateFormFile(fd.Name, "prueba.json")
				_, _ = w.Write([]byte(`{"releases":[]}`))
			}
		}
		mw.Close()
		req, err = http.NewRequest(http.MethodPost, target, &buf)
		if err == nil {
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
	} else {
		req, err = http.NewRequest(http.MethodPost, target, strings.NewReader(v.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page := body(t, resp)
	if resp.StatusCode == http.StatusSeeOther {
		loc := resp.Header.Get("Location")
		if loc == "/" || strings.HasPrefix(loc, "/?") {
			return resp.StatusCode, "(signed out)"
		}
		next := get(t, c, s.URL+loc)
		return next.StatusCode, body(t, next)
	}
	return resp.StatusCode, page
}

// crawl visits the persona's console from /home by its links and GET forms
// (a few pages of each kind) and returns the pages' POST actions; a link or a
// GET form that leads to a refusal is reported at once.
func crawl(t *testing.T, c *http.Client, s *stack) []offered {
	t.Helper()
	const perPattern, maxPages = 2, 100
	seen, perKind := map[string]bool{}, map[string]int{}
	type link struct{ to, from string }
	// The crawl starts at home; the manager's pages are also typed in, as a
	// user may, so that their forms are checked when they open (a refusal of
	// a page nobody links to is fine).
	queue := []link{{"/home", ""}}
	for _, typed := range []string{"/members", "/tenders/new", "/tenders/import", "/admin"} {
		queue = append(queue, link{typed, typedIn})
	}
	var actions []offered
	actionSeen, actionKind := map[string]bool{}, map[string]int{}
	for pages := 0; len(queue) > 0 && pages < maxPages; {
		l := queue[0]
		queue = queue[1:]
		u, err := url.Parse(l.to)
		if err != nil || actSkipLink(u) || seen[u.RequestURI()] {
			continue
		}
		seen[u.RequestURI()] = true
		if k := actPattern(u); perKind[k] >= perPattern {
			continue
		} else {
			perKind[k]++
		}
		pages++
		resp := get(t, c, s.URL+u.RequestURI())
		page := body(t, resp)
		if why := refusal(resp.StatusCode, page); why != "" {
			if l.from != typedIn {
				t.Errorf("%s, linked from %s: %s", u.RequestURI(), l.from, why)
			}
			continue
		}
		if m := tenderPath.FindStringSubmatch(u.Path); m != nil {
			// The recommendations of any tender the user sees, typed in
			// (issue 15: agency staff opened them and were offered "Crear consorcio").
			queue = append(queue, link{m[0] + "/recommend", typedIn})
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
			continue
		}
		pl := parsePage(t, page)
		for _, h := range pl.Links {
			if ref, err := u.Parse(h); err == nil && ref.Host == u.Host {
				ref.Fragment = ""
				queue = append(queue, link{ref.RequestURI(), u.RequestURI()})
			}
		}
		for _, f := range pl.Forms {
			if f.Action == "/signout" || strings.Contains(f.Action, "://") {
				continue
			}
			if f.Method == http.MethodGet {
				target, _ := url.Parse(f.Action)
				target.RawQuery = f.values(formField{}, s.Year).Encode()
				queue = append(queue, link{target.RequestURI(), u.RequestURI() + " (form)"})
				continue
			}
			buttons := f.Buttons
			if len(buttons) == 0 {
				buttons = []formField{{}}
			}
			for _, b := range buttons {
				k := f.key(b)
				au, _ := url.Parse(f.Action)
				kind := actPattern(au) + " " + b.Name + "=" + b.Value
				if actionSeen[k] || actionKind[kind] >= perPattern {
					continue
				}
				actionSeen[k] = true
				actionKind[kind]++
				actions = append(actions, offered{Page: u.RequestURI(), Form: f, Btn: b})
			}
		}
	}
	return actions
}

// findForm finds an action again on its page as the page is now.
func findForm(t *testing.T, c *http.Client, s *stack, a offered) (pageForm, bool) {
	t.Helper()
	resp := get(t, c, s.URL+a.Page)
	page := body(t, resp)
	if resp.StatusCode != http.StatusOK {
		return pageForm{}, false
	}
	for _, f := range parsePage(t, page).Forms {
		if f.Method != a.Form.Method || f.Action != a.Form.Action {
			continue
		}
		same := func(b formField) bool { return b.Name == a.Btn.Name && b.Value == a.Btn.Value }
		if slices.ContainsFunc(f.Buttons, same) || (len(f.Buttons) == 0 && same(formField{})) {
			return f, true
		}
	}
	return pageForm{}, false
}

// actionPersonas are the personas the test signs in as: companies of each
// kind (a consortium lead, an invited member, a member of two clusters, one
// whose membership is only requested), agency staff, every cluster's manager
// and the administrator. Companies go first: the managers' actions (award,
// cancel, suspend) close what the companies could still act on.
var actionPersonas = []string{
	"company1", "company2", "company3", "company7", "company24",
	"agency", "gira-manager", "marca-manager", "tera-manager", "admin",
}

// TestConsoleActionsAllowed: for every persona, no page offers a link or a
// form the user may not use. One stack serves the personas in turn: each
// crawls the console (a few pages of each kind), then submits every form it
// was offered, as the page shows it at that moment (after the actions before
// it), with the form's defaults; a permission refusal (a 403 page, "No tiene
// permiso", the service's English refusal) fails. Validation and rule errors
// are fine: the point is permission.
func TestConsoleActionsAllowed(t *testing.T) {
	s := startStack(t, true)
	for _, key := range actionPersonas {
		t.Run(key, func(t *testing.T) {
			c := signedInES(t, s, key)
			actions := crawl(t, c, s)
			if len(actions) == 0 {
				t.Fatalf("%s is offered no action at all: the crawl found nothing to check", key)
			}
			tried := 0
			for _, a := range actions {
				f, ok := findForm(t, c, s, a)
				if !ok {
					continue // gone after an earlier action (e.g. the tender was cancelled)
				}
				tried++
				status, page := submit(t, c, s, f, a.Btn)
				if page == "(signed out)" {
					t.Fatalf("%s on %s signed %s out", f.key(a.Btn), a.Page, key)
				}
				if why := refusal(status, page); why != "" {
					t.Errorf("%s offers %s (on %s), which is refused: %s", key, f.key(a.Btn), a.Page, why)
				}
			}
			t.Logf("%s: %d actions offered, %d submitted", key, len(actions), tried)
		})
	}
}

// TestConsoleActionsRefusalDetected proves the detector of the test above: a
// forbidden action forced by a direct request — as it would be if its
// button were shown — is recognised as refused.
func TestConsoleActionsRefusalDetected(t *testing.T) {
	s := startStack(t, true)
	sc := pickScenario(t, s)
	other := ""
	for key, u := range s.Users {
		if u.Claims.Organization != "" && key != "company2" && u.Claims.Organization != s.Users["company2"].Claims.Organization {
			other = u.Claims.Organization
			break
		}
	}
	company := signedInES(t, s, "company2")
	agency := signedInES(t, s, "agency")
	tests := []struct {
		name   string
		client *http.Client
		form   pageForm
	}{
		{name: "company forms a consortium led by another company", client: company, form: pageForm{Method: "POST", Action: "/tenders/" + sc.TenderID + "/consortia",
			Fields: []formField{{Name: "member", Value: other + "||"}, {Name: "lead", Value: other}}}},
		{name: "agency forms a consortium from a recommended team", client: agency, form: pageForm{Method: "POST", Action: "/tenders/" + sc.TenderID + "/consortia",
			Fields: []formField{{Name: "member", Value: other + "||"}, {Name: "lead", Value: other}}}},
		{name: "company opens the members page", client: company, form: pageForm{Method: "GET", Action: "/members"}},
		{name: "company approves a membership", client: company, form: pageForm{Method: "POST", Action: "/members/" + other + "/approve",
			Fields: []formField{{Name: "cluster", Value: demo.ClusterID("tera")}}}},
		{name: "agency cancels a tender", client: agency, form: pageForm{Method: "POST", Action: "/tenders/" + sc.TenderID + "/cancel",
			Fields: []formField{{Name: "reason", Value: "prueba"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, page := submit(t, tc.client, s, tc.form, formField{})
			if why := refusal(status, page); why == "" {
				t.Errorf("a forbidden action was not recognised as refused: %d %s", status, actErrorText(page))
			}
		})
	}
}

// TestConsoleAdminPage: the administrator has a page of its own listing the
// clusters with their managers, the users and the roles, in Spanish and
// English, and the manager's pages for every cluster; nobody else gets it.
func TestConsoleAdminPage(t *testing.T) {
	s := startStack(t, true)
	admin := signedInES(t, s, "admin")
	tests := []struct {
		lang  string
		wants []string
	}{
		{"es", []string{"Administración: clústeres, usuarios y roles", "Gestores", "Usuarios", "Roles", "Gestor de clúster", "Todo, en cualquier clúster"}},
		{"en", []string{"Administration: clusters, users and roles", "Managers", "Users", "Roles", "Cluster manager", "Everything, in any cluster"}},
	}
	for _, tc := range tests {
		t.Run(tc.lang, func(t *testing.T) {
			resp := get(t, admin, s.URL+"/admin?lang="+tc.lang)
			page := body(t, resp)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/admin: %d %s", resp.StatusCode, actErrorText(page))
			}
			wants := append([]string{`id="nav-admin"`}, tc.wants...)
			for _, c := range demo.Clusters {
				wants = append(wants, `data-cluster="`+demo.ClusterID(c.Key)+`"`, s.Users[c.Key+"-manager"].Claims.Name)
			}
			for _, u := range []string{"admin", "agency", "tera-manager", "company1", "company24"} {
				wants = append(wants, `data-user="`+u+`"`)
			}
			for _, w := range wants {
				if !strings.Contains(page, w) {
					t.Errorf("/admin?lang=%s lacks %q", tc.lang, w)
				}
			}
		})
	}
	get(t, admin, s.URL+"/home?lang=es").Body.Close()
	// The manager's pages, for any cluster.
	page := body(t, get(t, admin, s.URL+"/members"))
	for _, c := range demo.Clusters {
		if !strings.Contains(page, `data-cluster="`+demo.ClusterID(c.Key)+`"`) {
			t.Errorf("the administrator's /members lacks cluster %s", c.Key)
		}
	}
	for _, path := range []string{"/tenders/new", "/tenders/import"} {
		if resp := get(t, admin, s.URL+path); resp.StatusCode != http.StatusOK {
			t.Errorf("the administrator's %s: %d, want 200", path, resp.StatusCode)
		}
	}
	// Nobody else has the page or its link.
	for _, key := range []string{"tera-manager", "company1", "agency"} {
		c := signedInES(t, s, key)
		resp := get(t, c, s.URL+"/admin")
		page := body(t, resp)
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Esta página es para administradores.") {
			t.Errorf("%s's /admin: %d %q, want 403 in Spanish", key, resp.StatusCode, actErrorText(page))
		}
		if home := body(t, get(t, c, s.URL+"/home")); strings.Contains(home, `id="nav-admin"`) {
			t.Errorf("%s's navigation links to /admin", key)
		}
	}
	// Import and the new-tender form are the manager's: not in the
	// navigation of companies or agency staff, and refused in Spanish.
	for _, key := range []string{"company1", "agency"} {
		c := signedInES(t, s, key)
		if home := body(t, get(t, c, s.URL+"/home")); strings.Contains(home, `href="/tenders/import"`) || strings.Contains(home, `href="/tenders/new"`) {
			t.Errorf("%s's home links to the import or the new-tender page", key)
		}
		for _, path := range []string{"/tenders/import", "/tenders/new"} {
			resp := get(t, c, s.URL+path)
			page := body(t, resp)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(page, "Esta página es para gestores de clúster.") {
				t.Errorf("%s's %s: %d %q, want 403 in Spanish", key, path, resp.StatusCode, actErrorText(page))
			}
		}
	}
}

// TestConsoleExportLinksKeepFilters: the overview's and the commission list's
// export links carry the page's filters as query parameters (they were
// escaped into one parameter named "from=&to=", and the download ignored the
// period), found by the crawl above.
func TestConsoleExportLinksKeepFilters(t *testing.T) {
	s := startStack(t, true)
	c := signedInES(t, s, "agency")
	tests := []struct{ page, link, want string }{
		{"/overview?from=2025-01-01&to=2025-12-31", "/overview/export", "from=2025-01-01&to=2025-12-31"},
		{"/commissions?q=ciber&status=", "/commissions/export", "q=ciber"},
	}
	for _, tc := range tests {
		t.Run(tc.link, func(t *testing.T) {
			links := parsePage(t, body(t, get(t, c, s.URL+tc.page))).Links
			n := 0
			for _, l := range links {
				u, err := url.Parse(l)
				if err != nil || u.Path != tc.link {
					continue
				}
				n++
				want, _ := url.ParseQuery(tc.want)
				for k, v := range want {
					if got := u.Query().Get(k); got != v[0] {
						t.Errorf("%s: %s=%q, want %q", l, k, got, v[0])
					}
				}
				if resp := get(t, c, s.URL+u.RequestURI()); resp.StatusCode != http.StatusOK {
					t.Errorf("%s: %d", l, resp.StatusCode)
				}
			}
			if n == 0 {
				t.Fatalf("%s has no link to %s", tc.page, tc.link)
			}
		})
	}
}

// TestConsoleAwardLinks: an awarded tender's page links to the winning
// consortium only for those who may open it; a company outside it sees the
// winner without a link that would be refused.
func TestConsoleAwardLinks(t *testing.T) {
	s := startStack(t, true)
	for _, key := range []string{"company1", "company3", "company7", "tera-manager"} {
		t.Run(key, func(t *testing.T) {
			c := signedInES(t, s, key)
			list := parsePage(t, body(t, get(t, c, s.URL+"/tenders?status=TENDER_STATUS_COMPLETE"))).Links
			checked := 0
			for _, l := range list {
				if !tenderPath.MatchString(l) {
					continue
				}
				page := body(t, get(t, c, s.URL+l))
				if !strings.Contains(page, `id="awards"`) {
					continue
				}
				checked++
				for _, cl := range parsePage(t, page).Links {
					if !strings.HasPrefix(cl, "/consortia/") {
						continue
					}
					resp := get(t, c, s.URL+cl)
					if why := refusal(resp.StatusCode, body(t, resp)); why != "" {
						t.Errorf("%s links to %s: %s", l, cl, why)
					}
				}
			}
			if checked == 0 {
				t.Fatalf("%s sees no awarded tender: nothing checked", key)
			}
		})
	}
}
