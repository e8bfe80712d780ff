package web

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
)

// pageTemplate is one page parsed with the layout and the shared partials.
type pageTemplate struct{ *template.Template }

// funcs are the locale-independent template helpers.
var funcs = template.FuncMap{
	"join":      strings.Join,
	"eventName": func(t string) string { return t[strings.LastIndex(t, ".")+1:] },
	// Partial arguments: a partial gets the locale with what it shows.
	"trow": func(l *Locale, t *tenderv1.Tender) partialArgs { return partialArgs{L: l, T: t} },
	"crow": func(l *Locale, r consortiumRow) partialArgs { return partialArgs{L: l, R: r} },
	"reqs": func(l *Locale, req *tenderv1.Requirements) partialArgs { return partialArgs{L: l, Req: req} },
	"elig": func(l *Locale, rep *tenderv1.EligibilityReport, names map[string]string) partialArgs {
		return partialArgs{L: l, Report: rep, Names: names}
	},
	"certf": func(l *Locale, d profileData, c *memberv1.Certification) partialArgs {
		return partialArgs{L: l, Kinds: d.Kinds, Levels: d.Levels, Cert: c}
	},
	"status": func(name string) tenderv1.TenderStatus {
		return tenderv1.TenderStatus(tenderv1.TenderStatus_value[name])
	},
}

// partialArgs carries a partial template's data with the locale.
type partialArgs struct {
	L      *Locale
	T      *tenderv1.Tender
	R      consortiumRow
	Req    *tenderv1.Requirements
	Report *tenderv1.EligibilityReport
	Names  map[string]string // organisation id → legal name
	Kinds  []string
	Levels []string
	Cert   *memberv1.Certification
}

// parseTemplates parses every page of templates/ with layout.html and partials.html.
func parseTemplates() (map[string]*pageTemplate, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*pageTemplate{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "partials.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = &pageTemplate{t}
	}
	return pages, nil
}

// view is what every page template receives.
type view struct {
	L       *Locale
	User    *auth.Principal
	Role    string
	Title   string
	Flash   *flash
	LangURL string // this page in the other language
	Data    any
	// Unread is the bell's count (-1: no bell); BellPoll the seconds between refreshes.
	Unread   int
	BellPoll int
	Mailbox  bool
}

// render executes page with data inside the layout.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page, titleKey string, data any) {
	t, ok := s.pages[page]
	if !ok {
		s.d.Logger.ErrorContext(r.Context(), "unknown page template", "page", page)
		http.Error(w, "unknown page "+page, http.StatusInternalServerError)
		return
	}
	l := localeOf(r)
	v := view{L: l, User: s.session(r), Title: l.T(titleKey), Data: data, Flash: takeFlash(w, r), Unread: -1, BellPoll: s.bellPoll(), Mailbox: s.d.Mailbox != nil}
	if v.Flash != nil {
		v.Flash.Msg = v.Flash.text(l)
	}
	if v.User != nil {
		v.Role = roleOf(v.User)
		ctx := r.Context()
		if principal(r) != nil {
			ctx = rpc(r)
		}
		_, l.caps = s.capabilities(ctx)
		l.users, l.self = s.d.Users, v.User
		if principal(r) != nil {
			v.Unread = s.unread(r)
		}
	}
	q := r.URL.Query()
	q.Set("lang", l.Other())
	v.LangURL = r.URL.Path + "?" + q.Encode()
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.d.Logger.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "could not render the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

// errorData is the error page's data.
type errorData struct {
	Status  int
	Message string
}

// errorPage renders an error page with a status and a message.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.render(w, r, code, "error", "error.title", errorData{Status: code, Message: msg})
}

// notFound renders the 404 page for unknown console paths.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, localeOf(r).T("error.notfound"))
}

// fail renders a failed service call on a page: an expired session goes back
// to sign-in, other codes become an error page with the matching status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := status.Convert(err)
	l := localeOf(r)
	switch st.Code() {
	case codes.Unauthenticated:
		s.clearSession(w)
		setFlash(w, flash{Kind: "error", Key: "signin.expired"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	case codes.PermissionDenied:
		// The service's text is English with ids (for logs and API clients).
		s.d.Logger.DebugContext(r.Context(), "page refused", "path", r.URL.Path, "err", st.Message())
		s.errorPage(w, r, http.StatusForbidden, l.T("error.forbidden"))
	case codes.NotFound:
		s.errorPage(w, r, http.StatusNotFound, l.T("error.notfound")+" "+st.Message())
	case codes.InvalidArgument:
		s.errorPage(w, r, http.StatusBadRequest, st.Message())
	case codes.Unavailable, codes.DeadlineExceeded:
		s.d.Logger.WarnContext(r.Context(), "service unavailable", "path", r.URL.Path, "err", st.Message())
		s.errorPage(w, r, http.StatusServiceUnavailable, l.T("error.unavailable"))
	default:
		s.d.Logger.ErrorContext(r.Context(), "page call failed", "path", r.URL.Path, "code", st.Code().String(), "err", st.Message())
		s.errorPage(w, r, http.StatusBadGateway, st.Message())
	}
}

// actionFail reports a failed form action: the message, field violations and
// rule violations go into a flash shown on the page the user returns to.
func (s *Server) actionFail(w http.ResponseWriter, r *http.Request, err error, back string) {
	st := status.Convert(err)
	if st.Code() == codes.Unauthenticated {
		s.fail(w, r, err)
		return
	}
	// The headline is the page's language; the service's English (with its
	// ids) stays out of it, its field and rule details follow as items.
	f := flash{Kind: "error", Msg: failureHeadline(localeOf(r), st.Code())}
	switch st.Code() {
	case codes.PermissionDenied:
		s.d.Logger.DebugContext(r.Context(), "action refused", "path", r.URL.Path, "err", st.Message())
		f.Msg = localeOf(r).T("error.forbidden")
	case codes.Aborted:
		f.Msg = localeOf(r).T("error.conflict")
	case codes.Unavailable:
		f.Msg = localeOf(r).T("error.unavailable")
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				f.Items = append(f.Items, v.GetField()+": "+v.GetDescription())
			}
		case *errdetails.PreconditionFailure:
			for _, v := range d.GetViolations() {
				f.Items = append(f.Items, v.GetSubject()+": "+v.GetDescription())
			}
		}
	}
	setFlash(w, f)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// done confirms a successful action with a flash message (key and args of
// the catalogue, translated when shown) and redirects (post/redirect/get).
func done(w http.ResponseWriter, r *http.Request, to, key string, args ...string) {
	setFlash(w, flash{Kind: "ok", Key: key, Args: args})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// invalidInput reports bad form input (a catalogue key) without calling a service.
func invalidInput(w http.ResponseWriter, r *http.Request, to, key string) {
	setFlash(w, flash{Kind: "error", Key: key})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// invalidMessage reports bad form input with a message as is.
func invalidMessage(w http.ResponseWriter, r *http.Request, to, msg string) {
	setFlash(w, flash{Kind: "error", Msg: msg})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// flash is a one-time message shown on the next page.
type flash struct {
	Kind  string   `json:"k"`           // "ok" or "error"
	Msg   string   `json:"m,omitempty"` // a message as is (from a service)
	Key   string   `json:"t,omitempty"` // or a catalogue key, translated when shown
	Args  []string `json:"a,omitempty"` // the key's arguments
	Items []string `json:"i,omitempty"`
}

// text is the flash message in the page's language.
func (f *flash) text(l *Locale) string {
	if f.Key == "" {
		return f.Msg
	}
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = a
	}
	return l.T(f.Key, args...)
}

const flashCookie = "consortia_flash"

// setFlash stores f for the next page, shortened to fit in a cookie.
func setFlash(w http.ResponseWriter, f flash) {
	const maxItems, maxLen = 12, 300
	if len(f.Items) > maxItems {
		f.Items = append(f.Items[:maxItems], "…")
	}
	for i, it := range f.Items {
		f.Items[i] = truncate(it, maxLen)
	}
	f.Msg = truncate(f.Msg, maxLen)
	b, _ := json.Marshal(f)
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeFlash returns and clears the pending flash, if any.
func takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	var f flash
	if err := json.Unmarshal(b, &f); err != nil {
		return nil
	}
	return &f
}

// back returns a local URL to return to after an action: the form's "back"
// field when it is a local path, else def.
func back(r *http.Request, def string) string {
	b := r.FormValue("back")
	if u, err := url.Parse(b); err == nil && b != "" && u.Host == "" && u.Scheme == "" && strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") {
		return b
	}
	return def
}

// truncate shortens s to at most n runes.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
