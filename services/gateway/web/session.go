package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/consortia-dev/consortia/services/platform/auth"
)

// SessionCookie holds the signed-in user's bearer token (HttpOnly, SameSite=Lax).
const SessionCookie = "consortia_session"

// devTokenTTL is the lifetime of a token issued by the development sign-in page.
const devTokenTTL = 12 * time.Hour

type principalKey struct{}

// principal returns the signed-in user of an authed request.
func principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(*auth.Principal)
	return p
}

type sessionKey struct{}

// verifySession verifies the session cookie; nil when absent or invalid.
func (s *Server) verifySession(r *http.Request) *auth.Principal {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	p, err := s.d.Verifier.Verify(r.Context(), c.Value)
	if err != nil {
		return nil
	}
	return p
}

// session returns the user of the session cookie, verified once per request
// by withLocale; nil when signed out or the token is invalid or expired.
func (s *Server) session(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(sessionKey{}).(*auth.Principal)
	return p
}

// authed wraps a page that needs a signed-in user: without a valid session it
// redirects to the sign-in page, remembering where the user was going.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := s.session(r)
		if p == nil {
			if _, err := r.Cookie(SessionCookie); err == nil {
				s.clearSession(w)
				setFlash(w, flash{Kind: "error", Key: "signin.expired"})
			}
			next := ""
			if r.Method == http.MethodGet {
				next = "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, "/"+next, http.StatusSeeOther)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// rpc returns a context for gRPC calls on behalf of the signed-in user: the
// token goes as "authorization: Bearer <jwt>" metadata.
func rpc(r *http.Request) context.Context {
	ctx := r.Context()
	if p := principal(r); p != nil {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+p.Token)
	}
	return ctx
}

func (s *Server) setSession(w http.ResponseWriter, token string, exp time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: exp,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// safeNext keeps only local paths as a post-sign-in destination.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") {
		return next
	}
	return "/home"
}

// signInData is the sign-in page's data.
type signInData struct {
	Personas []persona
	Dev      bool
	OIDC     bool // the identity provider's sign-in (production)
	Next     string
}

// persona groups the development users of one role (and group, e.g. a
// company's cluster).
type persona struct {
	Role  string
	Group string
	Users []User
}

// signInPage is the first page a newcomer sees: the development users by
// persona (development mode) and a form to paste a token from an identity provider.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	if p := s.session(r); p != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	d := signInData{Dev: s.d.Issuer != nil && len(s.d.Users) > 0, OIDC: s.d.OIDC != nil, Next: r.URL.Query().Get("next")}
	if d.Dev {
		for _, role := range []string{auth.RoleClusterManager, auth.RoleCompany, auth.RoleAgency, auth.RoleAdmin} {
			var groups []persona
			for _, u := range s.d.Users {
				if !slices.Contains(u.Claims.Roles, role) {
					continue
				}
				i := slices.IndexFunc(groups, func(p persona) bool { return p.Group == u.Group })
				if i < 0 {
					groups, i = append(groups, persona{Role: role, Group: u.Group}), len(groups)
				}
				groups[i].Users = append(groups[i].Users, u)
			}
			d.Personas = append(d.Personas, groups...)
		}
	}
	s.render(w, r, http.StatusOK, "signin", "signin.title", d)
}

// signIn issues a development token for the chosen demo user and stores it in
// the session cookie.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if s.d.Issuer == nil || len(s.d.Users) == 0 {
		s.errorPage(w, r, http.StatusNotFound, localeOf(r).T("signin.nodev"))
		return
	}
	key := r.FormValue("user")
	i := slices.IndexFunc(s.d.Users, func(u User) bool { return u.Key == key })
	if i < 0 {
		s.errorPage(w, r, http.StatusBadRequest, localeOf(r).T("signin.unknown", key))
		return
	}
	tok, err := s.d.Issuer.Issue(s.d.Users[i].Claims, devTokenTTL)
	if err != nil {
		s.d.Logger.ErrorContext(r.Context(), "issue development token", "user", key, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	s.setSession(w, tok, time.Now().Add(devTokenTTL))
	s.d.Logger.InfoContext(r.Context(), "signed in", "user", key)
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
}

// signInToken signs in with a bearer token obtained from the identity provider
// (production) or `consortia token` (development).
func (s *Server) signInToken(w http.ResponseWriter, r *http.Request) {
	tok := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.FormValue("token")), "Bearer "))
	p, err := s.d.Verifier.Verify(r.Context(), tok)
	if err != nil {
		setFlash(w, flash{Kind: "error", Key: "signin.badtoken"})
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	exp := time.Now().Add(time.Hour)
	if p.ExpiresAt != nil {
		exp = p.ExpiresAt.Time
	}
	s.setSession(w, tok, exp)
	http.Redirect(w, r, safeNext(r.FormValue("next")), http.StatusSeeOther)
}

// signOut clears the session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	s.clearSession(w)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
