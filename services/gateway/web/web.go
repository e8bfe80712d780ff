// Package web serves the Consortia web console: server-rendered html/template
// pages in Spanish and English with a little progressive JavaScript and no build
// step. Pages call the member and tender services over gRPC with the signed-in
// user's token; the services authorise every call themselves.
package web

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"

	commissionv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/commission/v1"
	memberv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/member/v1"
	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
	tenderv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/tender/v1"
	"github.com/consortia-dev/consortia/services/platform/auth"
	"github.com/consortia-dev/consortia/services/platform/cpv"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// User is a development user listed on the sign-in page (a persona).
type User struct {
	Key    string      // e.g. "tera-manager"
	Title  string      // e.g. "Cluster manager, TERA ICT cluster (demo)"
	Claims auth.Claims // claims of the token issued on sign-in
	Group  string      // e.g. a company's cluster: the sign-in page lists a role's users by group
}

// Config configures the console.
type Config struct {
	// SecureCookies marks cookies Secure (when the console is served over https).
	SecureCookies bool
	// BellPollSeconds is how often pages refresh the bell's unread count (default 10).
	BellPollSeconds int
}

// Deps are the console's collaborators.
type Deps struct {
	Member   memberv1.MemberServiceClient
	Tender   tenderv1.TenderServiceClient
	Verifier auth.Verifier // checks the session token
	Issuer   *auth.Issuer  // development issuer for the sign-in page; nil in production
	Users    []User        // development users; listed only when Issuer is set
	Catalog  *cpv.Catalog  // CPV labels and search; nil = codes only
	Logger   *slog.Logger
	// Commission is the commission service (commissions, cross-cluster report).
	Commission commissionv1.CommissionServiceClient
	// Notification is the notification service (bell, inbox, preferences,
	// webhooks); nil hides them.
	Notification notificationv1.NotificationServiceClient
	// Mailbox is consortia dev's SMTP capture, shown at /dev/mailbox; nil in production.
	Mailbox MailboxFunc
	// OIDC is the production sign-in (NewOIDC); nil hides it.
	OIDC *OIDC
}

// Server is the web console handler.
type Server struct {
	cfg   Config
	d     Deps
	mux   *http.ServeMux
	pages map[string]*pageTemplate

	capMu  sync.Mutex
	capMap map[string]*memberv1.Capability // cached controlled vocabulary
	capAll []*memberv1.Capability
}

// New parses the templates and returns the console.
func New(cfg Config, d Deps) (*Server, error) {
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Verifier == nil {
		return nil, fmt.Errorf("web: a token verifier is required")
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, d: d, pages: pages, mux: http.NewServeMux()}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	m := s.mux
	m.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	m.HandleFunc("GET /{$}", s.signInPage)
	m.HandleFunc("POST /signin", s.signIn)
	m.HandleFunc("POST /signin/token", s.signInToken)
	m.HandleFunc("GET "+OIDCStartPath, s.oidcStart)
	m.HandleFunc("GET "+OIDCCallbackPath, s.oidcCallback)
	m.HandleFunc("POST /signout", s.signOut)
	m.HandleFunc("GET /cpv/search", s.cpvSearch)

	m.Handle("GET /home", s.authed(s.home))
	m.Handle("GET /tenders", s.authed(s.tenderList))
	m.Handle("GET /tenders/import", s.authed(s.importForm))
	m.Handle("POST /tenders/import", s.authed(s.importTenders))
	m.Handle("GET /tenders/new", s.authed(s.newTenderPage))
	m.Handle("POST /tenders/new", s.authed(s.createTender))
	m.Handle("GET /tenders/{id}", s.authed(s.tenderPage))
	m.Handle("POST /tenders/{id}/publish", s.authed(s.publishTender))
	m.Handle("POST /tenders/{id}/deadline", s.authed(s.changeDeadline))
	m.Handle("POST /tenders/{id}/award", s.authed(s.awardTender))
	m.Handle("POST /tenders/{id}/cancel", s.authed(s.cancelTender))
	m.Handle("GET /tenders/{id}/recommend", s.authed(s.recommendPage))
	m.Handle("POST /tenders/{id}/consortia", s.authed(s.createConsortium))
	m.Handle("GET /consortia/{id}", s.authed(s.consortiumPage))
	m.Handle("POST /consortia/{id}/accept", s.authed(s.acceptInvitation))
	m.Handle("POST /consortia/{id}/decline", s.authed(s.declineInvitation))
	m.Handle("POST /consortia/{id}/share", s.authed(s.setShare))
	m.Handle("POST /consortia/{id}/covers", s.authed(s.assignRoles))
	m.Handle("POST /consortia/{id}/invite", s.authed(s.inviteMember))
	m.Handle("POST /consortia/{id}/submit", s.authed(s.submitConsortium))
	m.Handle("POST /consortia/{id}/lead", s.authed(s.changeLead))
	m.Handle("POST /consortia/{id}/withdraw", s.authed(s.withdrawMember))
	m.Handle("GET /invitations", s.authed(s.invitationsPage))
	m.Handle("GET /matching", s.authed(s.matchingPage))
	m.Handle("GET /profile", s.authed(s.profilePage))
	m.Handle("POST /profile", s.authed(s.updateProfile))
	m.Handle("POST /profile/certifications", s.authed(s.addCertification))
	m.Handle("POST /profile/certifications/{cid}/edit", s.authed(s.editCertification))
	m.Handle("POST /profile/certifications/{cid}/remove", s.authed(s.removeCertification))
	m.Handle("POST /profile/turnover", s.authed(s.reportTurnover))
	m.Handle("POST /profile/references", s.authed(s.addReference))
	m.Handle("POST /profile/references/{rid}/remove", s.authed(s.removeReference))
	m.Handle("GET /overview", s.authed(s.overviewPage))
	m.Handle("GET /overview/export", s.authed(s.exportReport))
	m.Handle("GET /commissions", s.authed(s.commissionsPage))
	m.Handle("GET /commissions/export", s.authed(s.exportCommissions))
	m.Handle("GET /commissions/{id}", s.authed(s.commissionPage))
	m.Handle("POST /commissions/{id}/accept", s.authed(s.answerInvitation(true)))
	m.Handle("POST /commissions/{id}/decline", s.authed(s.answerInvitation(false)))
	m.Handle("GET /members", s.authed(s.membersPage))
	m.Handle("POST /members/{org}/approve", s.authed(s.approveMembership))
	m.Handle("POST /members/{org}/suspend", s.authed(s.suspendMembership))
	m.Handle("GET /members/{org}", s.authed(s.memberPage))
	m.Handle("POST /members/register", s.authed(s.registerOrganization))
	m.Handle("POST /profile/membership", s.authed(s.requestMembership))
	m.Handle("GET /notifications", s.authed(s.inboxPage))
	m.Handle("GET /notifications/count", s.authed(s.unreadCount))
	m.Handle("POST /notifications/read-all", s.authed(s.markAllRead))
	m.Handle("POST /notifications/{id}/open", s.authed(s.openItem))
	m.Handle("POST /notifications/{id}/archive", s.authed(s.archiveItem))
	m.Handle("GET /notifications/preferences", s.authed(s.preferencesPage))
	m.Handle("POST /notifications/preferences", s.authed(s.savePreferences))
	m.Handle("GET /notifications/webhooks", s.authed(s.webhooksPage))
	m.Handle("POST /notifications/webhooks", s.authed(s.createWebhook))
	m.Handle("POST /notifications/webhooks/{id}/rotate", s.authed(s.rotateWebhook))
	m.Handle("POST /notifications/deliveries/{id}/resend", s.authed(s.resendDelivery))
	m.Handle("GET /dev/mailbox", s.authed(s.mailboxPage))
	m.Handle("GET "+adminURL, s.authed(s.adminPage))
	m.HandleFunc("/", s.notFound)
	return s, nil
}

// ServeHTTP implements http.Handler. State-changing requests from other
// origins are refused (CSRF): the session cookie is also SameSite=Lax.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	csrf.Handler(s.withLocale(s.mux)).ServeHTTP(w, r)
}

// csrf refuses cross-origin unsafe requests using Sec-Fetch-Site / Origin.
var csrf = http.NewCrossOriginProtection()

// cacheStatic lets browsers cache the embedded assets briefly.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		h.ServeHTTP(w, r)
	})
}

// capabilities returns the controlled capability vocabulary, cached after the
// first successful call.
func (s *Server) capabilities(ctx context.Context) ([]*memberv1.Capability, map[string]*memberv1.Capability) {
	s.capMu.Lock()
	defer s.capMu.Unlock()
	if s.capMap != nil {
		return s.capAll, s.capMap
	}
	resp, err := s.d.Member.ListCapabilities(ctx, &memberv1.ListCapabilitiesRequest{})
	if err != nil {
		s.d.Logger.WarnContext(ctx, "capability vocabulary unavailable", "err", err)
		return nil, map[string]*memberv1.Capability{}
	}
	s.capAll = resp.GetCapabilities()
	s.capMap = make(map[string]*memberv1.Capability, len(s.capAll))
	for _, c := range s.capAll {
		s.capMap[c.GetId()] = c
	}
	return s.capAll, s.capMap
}
