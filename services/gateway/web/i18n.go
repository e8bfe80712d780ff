package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Madrid without relying on the system zone database

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/timestamppb"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/cpv"
)

// LangCookie remembers the language chosen with ?lang=es|en.
const LangCookie = "consortia_lang"

// Languages the console speaks; the first is the default.
var languages = []string{"es", "en"}

// madrid is the time zone dates are shown in (Spanish tenders).
var madrid = mustZone("Europe/Madrid")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return l
}

// Locale formats text, numbers and dates in one language. Templates reach it
// as .L: {{.L.T "key"}}, {{.L.Money 123400}}, {{.L.Date .Deadline}}.
type Locale struct {
	Lang string
	cat  *cpv.Catalog
	caps map[string]*memberv1.Capability
	// users and self name the actors of audit trails (Actor).
	users []User
	self  *auth.Principal
}

type localeKey struct{}

// localeOf returns the request's locale (Spanish when none was chosen).
func localeOf(r *http.Request) *Locale {
	if l, ok := r.Context().Value(localeKey{}).(*Locale); ok {
		return l
	}
	return &Locale{Lang: languages[0]}
}

func supported(lang string) bool { return lang == "es" || lang == "en" }

// withLocale verifies the session once and picks the language: ?lang= (then
// remembered in a cookie), the cookie, the token's locale claim,
// Accept-Language, Spanish.
func (s *Server) withLocale(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.verifySession(r)
		lang := ""
		if q := r.URL.Query().Get("lang"); supported(q) {
			lang = q
			http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.cfg.SecureCookies})
		} else if c, err := r.Cookie(LangCookie); err == nil && supported(c.Value) {
			lang = c.Value
		} else if p != nil && supported(p.Locale) {
			lang = p.Locale
		} else {
			lang = fromAcceptLanguage(r.Header.Get("Accept-Language"))
		}
		ctx := context.WithValue(r.Context(), localeKey{}, &Locale{Lang: lang, cat: s.d.Catalog})
		ctx = context.WithValue(ctx, sessionKey{}, p)
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// fromAcceptLanguage returns the first supported language of the header.
func fromAcceptLanguage(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if supported(base) {
			return base
		}
	}
	return languages[0]
}

// T returns the message for key, formatted with args (fmt verbs) when given.
// An unknown key is returned as is, so a missing translation shows up.
func (l *Locale) T(key string, args ...any) string {
	msg, ok := messages[l.Lang][key]
	if !ok {
		msg, ok = messages[languages[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Other returns the other language, for the language switch.
func (l *Locale) Other() string {
	if l.Lang == "es" {
		return "en"
	}
	return "es"
}

// group inserts sep every three digits of a non-negative integer.
func group(n int64, sep string) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Money formats euro cents: "1.234.567 €" (es) or "€1,234,567" (en), with
// cents only when there are any.
func (l *Locale) Money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	thousands, dec := ".", ","
	if l.Lang == "en" {
		thousands, dec = ",", "."
	}
	s := group(cents/100, thousands)
	if c := cents % 100; c != 0 {
		s += fmt.Sprintf("%s%02d", dec, c)
	}
	if neg {
		s = "-" + s
	}
	if l.Lang == "en" {
		return "€" + s
	}
	return s + " €"
}

// Percent formats hundredths of a percent: 3333 → "33,33 %" (es) or "33.33%".
func (l *Locale) Percent(bp int32) string {
	s := strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
	if l.Lang == "en" {
		return s + "%"
	}
	return strings.ReplaceAll(s, ".", ",") + " %"
}

// PercentInput formats hundredths of a percent for a number input ("33.33").
func (l *Locale) PercentInput(bp int32) string {
	if bp == 0 {
		return ""
	}
	return strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
}

// Date formats a timestamp's day in Madrid time: "31/12/2026" or "31 Dec 2026".
func (l *Locale) Date(ts *timestamppb.Timestamp) string {
	if ts == nil || (ts.GetSeconds() == 0 && ts.GetNanos() == 0) {
		return "—"
	}
	t := ts.AsTime().In(madrid)
	if l.Lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02/01/2006")
}

// DateTime formats a timestamp in Madrid time with hours and minutes.
func (l *Locale) DateTime(ts *timestamppb.Timestamp) string {
	if ts == nil || (ts.GetSeconds() == 0 && ts.GetNanos() == 0) {
		return "—"
	}
	t := ts.AsTime().In(madrid)
	if l.Lang == "en" {
		return t.Format("2 Jan 2006 15:04")
	}
	return t.Format("02/01/2006 15:04")
}

// DaysLeft says how far a deadline is: "in 3 days", "today", "closed".
func (l *Locale) DaysLeft(ts *timestamppb.Timestamp) string {
	if ts == nil {
		return ""
	}
	d := time.Until(ts.AsTime())
	switch {
	case d < 0:
		return l.T("deadline.passed")
	case d < 24*time.Hour:
		return l.T("deadline.today")
	default:
		return l.T("deadline.days", int(math.Ceil(d.Hours()/24)))
	}
}

// Enum returns the translated name of an enum value ("enum.TENDER_STATUS_ACTIVE").
func (l *Locale) Enum(e protoreflect.Enum) string {
	name := string(e.Descriptor().Values().ByNumber(e.Number()).Name())
	if msg, ok := messages[l.Lang]["enum."+name]; ok {
		return msg
	}
	return name
}

// CPV returns the label of a CPV code in the locale's language ("" when unknown).
func (l *Locale) CPV(code string) string {
	c, ok := l.cat.Lookup(code)
	if !ok {
		return ""
	}
	if l.Lang == "en" {
		return c.NameEN
	}
	return c.NameES
}

// Capability returns the label of a capability id (the id when unknown).
func (l *Locale) Capability(id string) string {
	c, ok := l.caps[id]
	if !ok {
		return id
	}
	if l.Lang == "en" {
		return c.GetLabelEn()
	}
	return c.GetLabelEs()
}

// CapabilityLabel returns a vocabulary entry's label.
func (l *Locale) CapabilityLabel(c *memberv1.Capability) string {
	if l.Lang == "en" {
		return c.GetLabelEn()
	}
	return c.GetLabelEs()
}

// Role returns the translated name of a role.
func (l *Locale) Role(role string) string { return l.T("role." + role) }

// roleOf is the persona a principal's home page is built for.
func roleOf(p *auth.Principal) string {
	for _, r := range []string{auth.RoleClusterManager, auth.RoleCompany, auth.RoleAgency, auth.RoleAdmin} {
		if p.Has(r) {
			return r
		}
	}
	return ""
}

// addMessages merges a feature's texts (messages_*.go) into the catalogue of
// each language. A key defined twice is a programming error: one text would
// silently replace the other.
func addMessages(feature map[string]map[string]string) {
	for lang, m := range feature {
		for k, v := range m {
			if _, dup := messages[lang][k]; dup {
				panic("web: message " + lang + "/" + k + " defined twice")
			}
			messages[lang][k] = v
		}
	}
}
