// Package deliver sends notifications outside the service: Standard Webhooks
// 1.0 (signed CloudEvents JSON over HTTP, behind an SSRF guard) and e-mail over
// SMTP, and runs the delivery workers that act on intents from the log.
package deliver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/consortia-dev/consortia/services/notification/domain"
)

// Standard Webhooks 1.0 headers.
const (
	HeaderWebhookID        = "webhook-id"
	HeaderWebhookTimestamp = "webhook-timestamp"
	HeaderWebhookSignature = "webhook-signature"
)

// Sign returns the webhook-signature value for a delivery: "v1,<base64
// HMAC-SHA256(key, id.timestamp.body)>" for each secret, space separated (two
// during a secret rotation, so a receiver holding either verifies).
func Sign(secrets []string, id string, timestamp int64, body []byte) (string, error) {
	var sigs []string
	for _, s := range secrets {
		key, err := domain.SecretBytes(s)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, key)
		fmt.Fprintf(mac, "%s.%d.", id, timestamp)
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " "), nil
}

// CloudEvent is the JSON envelope a webhook carries (CloudEvents 1.0,
// structured mode).
type CloudEvent struct {
	SpecVersion     string    `json:"specversion"`
	ID              string    `json:"id"`
	Source          string    `json:"source"`
	Type            string    `json:"type"`
	Subject         string    `json:"subject,omitempty"`
	Time            time.Time `json:"time"`
	DataContentType string    `json:"datacontenttype"`
	Data            EventData `json:"data"`
}

// EventData is the notification inside the envelope: ids, the message id and
// its arguments, and the texts in both languages.
type EventData struct {
	OrganizationID string            `json:"organization_id"`
	Type           string            `json:"type"`
	MessageID      string            `json:"message_id"`
	Args           map[string]string `json:"args,omitempty"`
	Link           string            `json:"link,omitempty"`
	Title          map[string]string `json:"title"`
	Body           map[string]string `json:"body"`
	SourceEvent    SourceEvent       `json:"source_event"`
}

// SourceEvent names the event that caused the notification.
type SourceEvent struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Subject string `json:"subject"`
}

// Body builds the webhook body of an intent. It depends only on the intent, so
// every attempt of one notification sends the same bytes.
func Body(in domain.Intent, baseURL string) ([]byte, error) {
	ce := CloudEvent{
		SpecVersion: "1.0", ID: in.Key, Source: "consortia/notification", Type: "dev.consortia.notification." + in.Type.String(),
		Subject: in.Link, Time: in.Source.Time.UTC(), DataContentType: "application/json",
		Data: EventData{OrganizationID: in.OrganizationID, Type: in.Type.String(), MessageID: in.MessageID, Args: in.Args,
			Title: map[string]string{}, Body: map[string]string{},
			SourceEvent: SourceEvent{ID: in.Source.EventID, Type: in.Source.EventType, Subject: in.Source.Subject}},
	}
	if in.Link != "" {
		ce.Data.Link = strings.TrimRight(baseURL, "/") + in.Link
	}
	for _, l := range []string{"es", "en"} {
		ce.Data.Title[l], ce.Data.Body[l] = domain.Render(l, in.MessageID, in.Args)
	}
	return json.Marshal(ce)
}

// Guard is the SSRF policy of webhook connections: it refuses loopback,
// private, link-local (cloud metadata), CGNAT, unspecified and multicast
// addresses unless a prefix in Allow covers them. It runs in the dialer's
// Control hook, on the address actually being connected to after DNS
// resolution, so a hostname that resolves (or re-resolves) to an internal
// address is refused too.
type Guard struct {
	Allow []netip.Prefix
}

// ErrRefused marks a connection the SSRF guard refused.
var ErrRefused = errors.New("refused by the webhook SSRF policy")

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// forbidden says why an address may not be reached ("" when it may).
func forbidden(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip == netip.MustParseAddr("169.254.169.254") || ip == netip.MustParseAddr("fd00:ec2::254"):
		return "cloud metadata address"
	case ip.IsLoopback():
		return "loopback address"
	case ip.IsPrivate():
		return "private address"
	case ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast():
		return "link-local address"
	case ip.IsUnspecified():
		return "unspecified address"
	case ip.IsMulticast() || ip.IsInterfaceLocalMulticast():
		return "multicast address"
	case cgnat.Contains(ip):
		return "shared (CGNAT) address"
	}
	return ""
}

// Check returns an error wrapping ErrRefused when addr (ip:port) may not be reached.
func (g Guard) Check(addr string) error {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return fmt.Errorf("webhook: connect to %s: %w (unparsable address)", addr, ErrRefused)
	}
	why := forbidden(ap.Addr())
	if why == "" {
		return nil
	}
	for _, p := range g.Allow {
		if p.Contains(ap.Addr().Unmap()) {
			return nil
		}
	}
	return fmt.Errorf("webhook: connect to %s (%s): %w; allow it with CONSORTIA_WEBHOOK_ALLOW_NETS", addr, why, ErrRefused)
}

// Control is the net.Dialer hook.
func (g Guard) Control(_, address string, _ syscall.RawConn) error { return g.Check(address) }

// NewClient returns the HTTP client for webhooks: the guard on every
// connection, no proxy (a proxy would connect on our behalf, past the guard),
// no redirects (a receiver answers, it does not forward), timeout per attempt.
func NewClient(g Guard, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: g.Control}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil, DialContext: d.DialContext, ForceAttemptHTTP2: true,
			MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: timeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Outcome of one delivery attempt.
type Outcome struct {
	HTTPStatus int
	Err        error
	// Retry says whether another attempt may succeed (5xx, 408, 429, timeouts,
	// connection errors); false for refusals (other 4xx, the SSRF guard).
	Retry bool
}

// Webhook posts signed notifications.
type Webhook struct {
	Client  *http.Client
	BaseURL string
	Now     func() time.Time
}

// Send makes one attempt of delivering in to ep.
func (w *Webhook) Send(ctx context.Context, ep domain.Endpoint, in domain.Intent) Outcome {
	body, err := Body(in, w.BaseURL)
	if err != nil {
		return Outcome{Err: err}
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	t := now()
	sig, err := Sign(ep.Secrets(t), in.Key, t.Unix(), body)
	if err != nil {
		return Outcome{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return Outcome{Err: fmt.Errorf("webhook request: %w", err)}
	}
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("User-Agent", "Consortia-Webhooks/1.0")
	req.Header.Set(HeaderWebhookID, in.Key)
	req.Header.Set(HeaderWebhookTimestamp, strconv.FormatInt(t.Unix(), 10))
	req.Header.Set(HeaderWebhookSignature, sig)
	resp, err := w.Client.Do(req)
	if err != nil {
		if errors.Is(err, ErrRefused) {
			return Outcome{Err: err}
		}
		return Outcome{Err: fmt.Errorf("webhook POST %s: %w", ep.URL, err), Retry: true}
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return Outcome{HTTPStatus: resp.StatusCode}
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests:
		return Outcome{HTTPStatus: resp.StatusCode, Err: fmt.Errorf("webhook POST %s: HTTP %d", ep.URL, resp.StatusCode), Retry: true}
	default:
		return Outcome{HTTPStatus: resp.StatusCode, Err: fmt.Errorf("webhook POST %s: HTTP %d (the receiver refused it; not retried)", ep.URL, resp.StatusCode)}
	}
}

// ParseAllow reads a comma-separated list of CIDR prefixes (or single
// addresses) for Guard.Allow.
func ParseAllow(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("webhook allow-list: %q: %w", part, err)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("webhook allow-list: %q: %w", part, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Loopback is the allow-list `consortia dev` uses, so a local receiver works.
var Loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
