package gateway_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	"github.com/consortia-dev/consortia/services/gateway"
	"github.com/consortia-dev/consortia/services/gateway/web"
	"github.com/consortia-dev/consortia/services/member"
	"github.com/consortia-dev/consortia/services/platform/codes"
	"github.com/consortia-dev/consortia/services/platform/config"
	"github.com/consortia-dev/consortia/services/platform/grpcserver"
	"github.com/consortia-dev/consortia/services/platform/natstest"
	"github.com/consortia-dev/consortia/services/platform/service"
	"github.com/consortia-dev/consortia/services/tender"
)

// testIDP is a small OpenID Connect provider: discovery, a login page, the
// authorization code flow with PKCE (S256 only, checked at the token
// endpoint), RS256 ID and access tokens, and the key set. Its users carry
// their roles the way Keycloak does (realm_access.roles) and their clusters
// in "groups", so the deployment's claim names are exercised.
type testIDP struct {
	t      *testing.T
	srv    *httptest.Server
	key    *rsa.PrivateKey
	users  map[string]jwt.MapClaims
	mu     sync.Mutex
	codes  map[string]grant
	tokens int // token requests that passed every check
}

type grant struct {
	user, clientID, redirect, challenge, nonce string
}

const (
	idpClient   = "consortia-gateway"
	idpSecret   = "gateway-secret"
	apiAudience = "consortia"
)

func newTestIDP(t *testing.T, users map[string]jwt.MapClaims) *testIDP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &testIDP{t: t, key: key, users: users, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /login", p.login)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /jwks", p.jwks)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *testIDP) discovery(w http.ResponseWriter, _ *http.Request) {
	u := p.srv.URL
	_ = json.NewEncoder(w).Encode(map[string]any{
		"issuer": u, "authorization_endpoint": u + "/authorize", "token_endpoint": u + "/token", "jwks_uri": u + "/jwks",
		"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
	})
}

// authorize shows the login page (the user picks who they are).
func (p *testIDP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != idpClient || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" {
		http.Error(w, "authorization code flow with PKCE (S256) required", http.StatusBadRequest)
		return
	}
	fmt.Fprintf(w, `<form method="post" action="/login"><input type="hidden" name="q" value="%s"><input name="user"></form>`, html.EscapeString(q.Encode()))
}

// login signs the chosen user in and redirects back with a code.
func (p *testIDP) login(w http.ResponseWriter, r *http.Request) {
	q, _ := url.ParseQuery(r.FormValue("q"))
	user := r.FormValue("user")
	if _, ok := p.users[user]; !ok {
		http.Error(w, "unknown user", http.StatusForbidden)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{user: user, clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge"), nonce: q.Get("nonce")}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, for its client, redirect URI and PKCE verifier.
func (p *testIDP) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.FormValue("client_id"), r.FormValue("client_secret")
	}
	p.mu.Lock()
	g, found := p.codes[r.FormValue("code")]
	delete(p.codes, r.FormValue("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.FormValue("code_verifier")))
	switch {
	case id != idpClient || secret != idpSecret:
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	case r.FormValue("grant_type") != "authorization_code" || !found || g.clientID != id || g.redirect != r.FormValue("redirect_uri"):
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		http.Error(w, `{"error":"invalid_grant","error_description":"PKCE verifier"}`, http.StatusBadRequest)
		return
	}
	now := time.Now()
	base := func(aud string) jwt.MapClaims {
		c := jwt.MapClaims{"iss": p.srv.URL, "sub": "idp|" + g.user, "aud": aud, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
		for k, v := range p.users[g.user] {
			c[k] = v
		}
		return c
	}
	idc := base(idpClient)
	idc["nonce"] = g.nonce
	p.mu.Lock()
	p.tokens++
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"access_token": p.sign(base(apiAudience)), "id_token": p.sign(idc), "token_type": "Bearer", "expires_in": 3600})
}

func (p *testIDP) sign(c jwt.MapClaims) string {
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, c)
	tok.Header["kid"] = "idp-1"
	s, err := tok.SignedString(p.key)
	if err != nil {
		p.t.Error(err)
	}
	return s
}

func (p *testIDP) jwks(w http.ResponseWriter, _ *http.Request) {
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "idp-1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(p.key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(p.key.E)).Bytes()),
	}}})
}

// TestOIDCSignInThroughTheBrowser signs a cluster manager in through the
// provider (authorization code + PKCE) with a cookie-keeping HTTP client, as
// a browser would: the console shows the role read from the provider's
// claims, and the services accept the session's token.
func TestOIDCSignInThroughTheBrowser(t *testing.T) {
	idp := newTestIDP(t, map[string]jwt.MapClaims{
		"marta": {"name": "Marta Ruiz", "email": "marta@example.org",
			"realm_access": map[string]any{"roles": []string{"cluster_manager", "offline_access"}}},
	})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	publicURL := "http://" + addr

	// The gateway's configuration, as a deployment sets it.
	var s gateway.Settings
	if err := config.ParseEnv([]string{
		"CONSORTIA_PUBLIC_URL=" + publicURL,
		"CONSORTIA_AUTH_JWKS_URL=" + idp.srv.URL + "/jwks", "CONSORTIA_AUTH_ISSUER=" + idp.srv.URL, "CONSORTIA_AUTH_AUDIENCE=" + apiAudience,
		"CONSORTIA_AUTH_ROLES_CLAIM=realm_access.roles", "CONSORTIA_AUTH_CLUSTERS_CLAIM=groups",
		"CONSORTIA_OIDC_ISSUER_URL=" + idp.srv.URL, "CONSORTIA_OIDC_CLIENT_ID=" + idpClient, "CONSORTIA_OIDC_CLIENT_SECRET=" + idpSecret,
	}, &s); err != nil {
		t.Fatal(err)
	}
	verifier, err := s.Auth.Verifier()
	if err != nil {
		t.Fatal(err)
	}
	oidc, err := s.OIDC.Start(t.Context(), s.PublicURL)
	if err != nil {
		t.Fatal(err)
	}

	ns := natstest.Start(t)
	log := testLogger()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	m, err := member.New(ctx, service.Env{ListenAddr: "127.0.0.1:0", JS: ns.JS, Verifier: verifier, Codes: codes.Lists{}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() { _ = m.Run(ctx) })
	memberConn, err := grpcserver.Dial(m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { memberConn.Close() })
	tn, err := tender.New(ctx, service.Env{ListenAddr: "127.0.0.1:0", JS: ns.JS, Verifier: verifier, Codes: codes.Lists{}, Logger: log}, memberv1.NewMemberServiceClient(memberConn))
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() { _ = tn.Run(ctx) })
	<-m.Ready()
	<-tn.Ready()
	gw, err := gateway.New(ctx, gateway.Config{HTTPAddr: addr, PublicURL: publicURL,
		Backends: map[string]string{"member": m.Addr(), "tender": tn.Addr(), "commission": "127.0.0.1:1", "notification": "127.0.0.1:1"}},
		gateway.Deps{Verifier: verifier, OIDC: oidc, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	wg.Go(func() { _ = gw.Run(ctx) })
	mustGet200(t, publicURL+"/healthz")

	// The cluster Marta manages, created by an administrator of the provider.
	admin := idp.sign(jwt.MapClaims{"iss": idp.srv.URL, "sub": "idp|admin", "aud": apiAudience, "exp": time.Now().Add(time.Hour).Unix(),
		"realm_access": map[string]any{"roles": []string{"admin"}}})
	req, _ := http.NewRequest(http.MethodPost, publicURL+"/v1/clusters", strings.NewReader(`{"name":"TERA ICT cluster (test)","region_nuts":"ES130"}`))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	created, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		Cluster struct{ ID string } `json:"cluster"`
	}
	err = json.NewDecoder(created.Body).Decode(&cl)
	created.Body.Close()
	if err != nil || created.StatusCode != http.StatusOK || cl.Cluster.ID == "" {
		t.Fatalf("create cluster: %s, %v", created.Status, err)
	}
	idp.users["marta"]["groups"] = []string{cl.Cluster.ID}

	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	get := func(u string) (*http.Response, string) {
		t.Helper()
		resp, err := browser.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}

	// The sign-in page offers the provider.
	_, page := get(publicURL + "/?lang=en")
	if !strings.Contains(page, `id="signin-oidc"`) {
		t.Fatalf("the sign-in page offers no provider sign-in:\n%s", page)
	}
	// Following it lands on the provider's login page; the user signs in there.
	resp, login := get(publicURL + web.OIDCStartPath + "?next=/home")
	if resp.Request.URL.Host != strings.TrimPrefix(idp.srv.URL, "http://") || !strings.Contains(login, `action="/login"`) {
		t.Fatalf("not at the provider's login page: %s\n%s", resp.Request.URL, login)
	}
	q := html.UnescapeString(between(login, `name="q" value="`, `"`))
	resp, err = browser.PostForm(idp.srv.URL+"/login", url.Values{"q": {q}, "user": {"marta"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	home := string(body)
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/home" {
		t.Fatalf("after the provider: %d at %s\n%s", resp.StatusCode, resp.Request.URL, home)
	}
	if !strings.Contains(home, `data-role="cluster_manager"`) || !strings.Contains(home, "Marta Ruiz") {
		t.Fatalf("the console does not show the user's role from the claims:\n%s", home)
	}
	who := between(home, `id="who">`, `</span>`)
	t.Logf("signed in through the provider: %q", who)
	if !strings.Contains(who, "Marta Ruiz") || !(strings.Contains(who, "Gestor de clúster") || strings.Contains(who, "Cluster manager")) {
		t.Fatalf("header %q: want the name and the cluster manager role", who)
	}
	if idp.tokens != 1 {
		t.Fatalf("%d code redemptions, want 1", idp.tokens)
	}

	// The session's token is the provider's access token, and the services
	// accept it with the deployment's claim names.
	var session string
	for _, c := range jar.Cookies(&url.URL{Scheme: "http", Host: addr, Path: "/"}) {
		if c.Name == web.SessionCookie {
			session = c.Value
		}
	}
	p, err := verifier.Verify(t.Context(), session)
	if err != nil || !p.ManagesCluster(cl.Cluster.ID) || p.Subject != "idp|marta" {
		t.Fatalf("session token: %+v, %v", p, err)
	}
	req, _ = http.NewRequest(http.MethodGet, publicURL+"/v1/clusters", nil)
	req.Header.Set("Authorization", "Bearer "+session)
	api, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	api.Body.Close()
	if api.StatusCode != http.StatusOK {
		t.Fatalf("the member service refused the provider's token: %s", api.Status)
	}

	// A callback whose state is not the flow's (a forged or replayed link)
	// signs nobody in.
	jar2, _ := cookiejar.New(nil)
	other := &http.Client{Jar: jar2}
	if r, err := other.Get(publicURL + web.OIDCStartPath); err == nil {
		r.Body.Close()
	}
	r2, err := other.Get(publicURL + web.OIDCCallbackPath + "?code=x&state=forged")
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	for _, c := range jar2.Cookies(&url.URL{Scheme: "http", Host: addr, Path: "/"}) {
		if c.Name == web.SessionCookie && c.Value != "" {
			t.Fatal("a forged callback set a session")
		}
	}
	if r2.Request.URL.Path != "/" {
		t.Fatalf("forged callback ended at %s, want the sign-in page", r2.Request.URL)
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
