package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	notificationv1 "github.com/consortia-dev/consortia/proto/gen/go/consortia/notification/v1"
)

// Mail is a captured e-mail shown on the development mailbox page.
type Mail struct {
	To        []string
	Subject   string
	MessageID string
	Language  string
	Text      string
	HTML      string
	Received  time.Time
}

// MailboxFunc returns the captured mails, newest first (consortia dev's SMTP capture).
type MailboxFunc func() []Mail

// The bell: the unread count is rendered with every page and refreshed by a
// short poll of /notifications/count (app.js, every 10 s). A poll, not
// server-sent events, because the gateway holds no state and no NATS
// connection: SSE would need a push path from the notification service to
// every gateway replica for a number that can be a few seconds late.
const bellPollSeconds = 10

func (s *Server) bellPoll() int {
	if s.cfg.BellPollSeconds > 0 {
		return s.cfg.BellPollSeconds
	}
	return bellPollSeconds
}

// unread is the signed-in user's unread count, or -1 when there is no bell.
func (s *Server) unread(r *http.Request) int {
	if s.d.Notification == nil || principal(r) == nil {
		return -1
	}
	res, err := s.d.Notification.GetUnreadCount(rpc(r), &notificationv1.GetUnreadCountRequest{})
	if err != nil {
		return -1
	}
	return int(res.GetUnreadCount())
}

func (s *Server) requireNotifications(w http.ResponseWriter, r *http.Request) bool {
	if s.d.Notification == nil {
		s.errorPage(w, r, http.StatusNotFound, localeOf(r).T("notify.off"))
		return false
	}
	return true
}

// unreadCount answers the bell's poll.
func (s *Server) unreadCount(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]int{"unread": s.unread(r)})
}

type inboxData struct {
	Items    []*notificationv1.InboxItem
	Unread   int32
	Archived bool
	Next     string
}

// inboxPage lists the organisation's notifications, newest first.
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	req := &notificationv1.ListInboxRequest{PageSize: 50, PageToken: r.URL.Query().Get("page")}
	archived := r.URL.Query().Get("archived") == "1"
	if archived {
		req.State = notificationv1.InboxState_INBOX_STATE_ARCHIVED
	}
	res, err := s.d.Notification.ListInbox(rpc(r), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notifications", "notify.title", inboxData{Items: res.GetItems(), Unread: res.GetUnreadCount(), Archived: archived, Next: res.GetNextPageToken()})
}

// openItem marks an item read and follows its link.
func (s *Server) openItem(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	res, err := s.d.Notification.MarkRead(rpc(r), &notificationv1.MarkReadRequest{ItemId: r.PathValue("id")})
	if err != nil {
		s.actionFail(w, r, err, "/notifications")
		return
	}
	to := safeNext(res.GetItem().GetLink())
	if to == "" || to == "/" {
		to = "/notifications"
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// archiveItem archives an item.
func (s *Server) archiveItem(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	if _, err := s.d.Notification.ArchiveItem(rpc(r), &notificationv1.ArchiveItemRequest{ItemId: r.PathValue("id")}); err != nil {
		s.actionFail(w, r, err, "/notifications")
		return
	}
	done(w, r, "/notifications", "notify.archived")
}

// markAllRead marks every item read.
func (s *Server) markAllRead(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	if _, err := s.d.Notification.MarkAllRead(rpc(r), &notificationv1.MarkAllReadRequest{}); err != nil {
		s.actionFail(w, r, err, "/notifications")
		return
	}
	done(w, r, "/notifications", "notify.allread")
}

type prefsData struct {
	P     *notificationv1.Preferences
	Quiet bool
}

// preferencesPage shows the caller's notification preferences.
func (s *Server) preferencesPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	res, err := s.d.Notification.GetPreferences(rpc(r), &notificationv1.GetPreferencesRequest{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notifprefs", "notify.prefs.title", prefsData{P: res.GetPreferences(), Quiet: res.GetPreferences().GetQuietHours() != nil})
}

func minuteOf(hhmm string) (int32, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(hhmm), ":")
	hi, err1 := strconv.Atoi(h)
	mi, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hi < 0 || hi > 23 || mi < 0 || mi > 59 {
		return 0, false
	}
	return int32(hi*60 + mi), true
}

// savePreferences replaces the caller's preferences from the form.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	p := &notificationv1.Preferences{Language: r.FormValue("language")}
	for _, v := range notificationv1.NotificationType_value {
		t := notificationv1.NotificationType(v)
		if t == notificationv1.NotificationType_NOTIFICATION_TYPE_UNSPECIFIED || t == notificationv1.NotificationType_NOTIFICATION_TYPE_DIGEST {
			continue
		}
		k := strconv.Itoa(int(v))
		mode := notificationv1.DeliveryMode_DELIVERY_MODE_IMMEDIATE
		if r.FormValue("digest-"+k) == "on" {
			mode = notificationv1.DeliveryMode_DELIVERY_MODE_DAILY_DIGEST
		}
		p.Types = append(p.Types, &notificationv1.TypePreference{Type: t, Email: r.FormValue("email-"+k) == "on", Webhook: r.FormValue("webhook-"+k) == "on", Mode: mode})
	}
	if d, ok := minuteOf(r.FormValue("digest_time")); ok {
		p.DigestMinute = d
	}
	if r.FormValue("quiet") == "on" {
		start, ok1 := minuteOf(r.FormValue("quiet_start"))
		end, ok2 := minuteOf(r.FormValue("quiet_end"))
		if !ok1 || !ok2 {
			invalidInput(w, r, "/notifications/preferences", "notify.prefs.badtime")
			return
		}
		p.QuietHours = &notificationv1.QuietHours{StartMinute: start, EndMinute: end, TimeZone: "Europe/Madrid"}
	}
	if _, err := s.d.Notification.UpdatePreferences(rpc(r), &notificationv1.UpdatePreferencesRequest{Preferences: p}); err != nil {
		s.actionFail(w, r, err, "/notifications/preferences")
		return
	}
	done(w, r, "/notifications/preferences", "notify.prefs.saved")
}

type webhooksData struct {
	Org        string
	Endpoints  []*notificationv1.WebhookEndpoint
	Deliveries []*notificationv1.Delivery
	Secret     string
}

// webhooksPage lists the organisation's endpoints and recent deliveries.
func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	p := principal(r)
	if p.Organization == "" {
		s.errorPage(w, r, http.StatusForbidden, localeOf(r).T("error.companyonly"))
		return
	}
	s.renderWebhooks(w, r, p.Organization, "")
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, org, secret string) {
	ctx := rpc(r)
	eps, err := s.d.Notification.ListWebhookEndpoints(ctx, &notificationv1.ListWebhookEndpointsRequest{OrganizationId: org})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ds, err := s.d.Notification.ListDeliveries(ctx, &notificationv1.ListDeliveriesRequest{OrganizationId: org, PageSize: 30})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "webhooks", "notify.webhooks.title", webhooksData{Org: org, Endpoints: eps.GetEndpoints(), Deliveries: ds.GetDeliveries(), Secret: secret})
}

// createWebhook adds an endpoint and shows its secret once.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	org := principal(r).Organization
	res, err := s.d.Notification.CreateWebhookEndpoint(rpc(r), &notificationv1.CreateWebhookEndpointRequest{OrganizationId: org,
		Url: strings.TrimSpace(r.FormValue("url")), Description: strings.TrimSpace(r.FormValue("description"))})
	if err != nil {
		s.actionFail(w, r, err, "/notifications/webhooks")
		return
	}
	s.renderWebhooks(w, r, org, res.GetSecret())
}

// rotateWebhook issues a new secret and shows it once.
func (s *Server) rotateWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	res, err := s.d.Notification.RotateWebhookSecret(rpc(r), &notificationv1.RotateWebhookSecretRequest{EndpointId: r.PathValue("id")})
	if err != nil {
		s.actionFail(w, r, err, "/notifications/webhooks")
		return
	}
	s.renderWebhooks(w, r, principal(r).Organization, res.GetSecret())
}

// resendDelivery delivers a webhook again.
func (s *Server) resendDelivery(w http.ResponseWriter, r *http.Request) {
	if !s.requireNotifications(w, r) {
		return
	}
	if _, err := s.d.Notification.ResendDelivery(rpc(r), &notificationv1.ResendDeliveryRequest{DeliveryId: r.PathValue("id")}); err != nil {
		s.actionFail(w, r, err, "/notifications/webhooks")
		return
	}
	done(w, r, "/notifications/webhooks", "notify.webhooks.resent")
}

// mailboxPage shows the development SMTP capture (consortia dev only).
func (s *Server) mailboxPage(w http.ResponseWriter, r *http.Request) {
	if s.d.Mailbox == nil {
		s.errorPage(w, r, http.StatusNotFound, localeOf(r).T("notify.mailbox.off"))
		return
	}
	s.render(w, r, http.StatusOK, "devmailbox", "notify.mailbox.title", s.d.Mailbox())
}

func init() {
	funcs["div"] = func(a, b int32) int32 { return a / b }
	funcs["mod"] = func(a, b int32) int32 { return a % b }
}
