package deliver

import (
	"bytes"
	"context"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/consortia-dev/consortia/services/notification/domain"
)

// SMTPConfig says where e-mail goes.
type SMTPConfig struct {
	Host string
	Port int
	// From is the sender address, e.g. "Consortia <avisos@consortia.example>".
	From string
	// Username and Password enable SMTP AUTH (PLAIN) when set.
	Username, Password string
	// RequireTLS demands STARTTLS; off for the dev capture on loopback.
	RequireTLS bool
	Timeout    time.Duration
}

// Mailer sends notification e-mails with go-mail.
type Mailer struct {
	cfg     SMTPConfig
	BaseURL string
}

// NewMailer returns a mailer for cfg.
func NewMailer(cfg SMTPConfig, baseURL string) *Mailer {
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.From == "" {
		cfg.From = "Consortia <avisos@consortia.invalid>"
	}
	return &Mailer{cfg: cfg, BaseURL: baseURL}
}

// MessageID is the e-mail's deterministic Message-ID (without angle
// brackets): the notification key at the sender's domain, so a mail re-sent
// after a crash is recognisably the same message.
func (m *Mailer) MessageID(key string) string {
	domainPart := "consortia.invalid"
	if i := strings.LastIndex(m.cfg.From, "@"); i >= 0 {
		domainPart = strings.Trim(m.cfg.From[i+1:], "> ")
	}
	return key + "@" + domainPart
}

// Mail is a rendered e-mail.
type Mail struct {
	Subject, Text, HTML string
}

type mailItem struct {
	Title, Body, Link string
}

type mailData struct {
	Lang, Greeting, Footer, Open, Preferences, PreferencesURL string
	Items                                                     []mailItem
	Intro                                                     string
}

var mailWords = map[string]map[string]string{
	"es": {"greeting": "Hola,", "open": "Abrir en Consortia", "footer": "Recibe este aviso de Consortia por su perfil y sus consorcios.", "prefs": "Cambiar qué avisos recibe"},
	"en": {"greeting": "Hello,", "open": "Open in Consortia", "footer": "You receive this notice from Consortia because of your profile and your consortia.", "prefs": "Change which notices you receive"},
}

var textMail = texttemplate.Must(texttemplate.New("text").Parse(`{{.Greeting}}
{{if .Intro}}
{{.Intro}}
{{end}}{{range .Items}}
{{.Title}}
{{.Body}}
{{if .Link}}{{$.Open}}: {{.Link}}
{{end}}{{end}}
--
{{.Footer}}
{{.Preferences}}: {{.PreferencesURL}}
`))

var htmlMail = htmltemplate.Must(htmltemplate.New("html").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{with index .Items 0}}{{.Title}}{{end}}</title></head>
<body style="font-family:sans-serif;max-width:40em">
<p>{{.Greeting}}</p>
{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{range .Items}}<h2 style="font-size:1.1em">{{.Title}}</h2>
<p>{{.Body}}</p>
{{if .Link}}<p><a href="{{.Link}}">{{$.Open}}</a></p>{{end}}
{{end}}<hr><p style="color:#555;font-size:.9em">{{.Footer}} <a href="{{.PreferencesURL}}">{{.Preferences}}</a></p>
</body></html>
`))

// Render builds the e-mail of an intent in its language; digest items fill a
// digest e-mail.
func (m *Mailer) Render(in domain.Intent, items []domain.DigestItem) (Mail, error) {
	lang := in.Language
	if lang != "en" {
		lang = "es"
	}
	w := mailWords[lang]
	base := strings.TrimRight(m.BaseURL, "/")
	d := mailData{Lang: lang, Greeting: w["greeting"], Footer: w["footer"], Open: w["open"], Preferences: w["prefs"], PreferencesURL: base + "/profile#notifications"}
	link := func(p string) string {
		if p == "" {
			return ""
		}
		return base + p
	}
	subject, body := domain.Render(lang, in.MessageID, in.Args)
	if in.Type == domain.TypeDigest {
		d.Intro = body
		for _, it := range items {
			t, b := domain.Render(lang, it.MessageID, it.Args)
			d.Items = append(d.Items, mailItem{Title: t, Body: b, Link: link(it.Link)})
		}
	} else {
		d.Items = []mailItem{{Title: subject, Body: body, Link: link(in.Link)}}
	}
	if len(d.Items) == 0 {
		d.Items = []mailItem{{Title: subject}}
	}
	var tb, hb bytes.Buffer
	if err := textMail.Execute(&tb, d); err != nil {
		return Mail{}, err
	}
	if err := htmlMail.Execute(&hb, d); err != nil {
		return Mail{}, err
	}
	return Mail{Subject: subject, Text: tb.String(), HTML: hb.String()}, nil
}

// Send e-mails in (plain text and HTML alternatives) with its deterministic Message-ID.
func (m *Mailer) Send(ctx context.Context, in domain.Intent, items []domain.DigestItem) Outcome {
	r, err := m.Render(in, items)
	if err != nil {
		return Outcome{Err: err}
	}
	msg := mail.NewMsg()
	if err := msg.From(m.cfg.From); err != nil {
		return Outcome{Err: fmt.Errorf("e-mail sender %q: %w", m.cfg.From, err)}
	}
	if err := msg.To(in.Email); err != nil {
		return Outcome{Err: fmt.Errorf("e-mail address %q: %w", in.Email, err)}
	}
	msg.Subject(r.Subject)
	msg.SetMessageIDWithValue(m.MessageID(in.Key))
	msg.SetDateWithValue(in.Source.Time)
	msg.SetGenHeader(mail.HeaderContentLang, in.Language)
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, r.Text)
	msg.AddAlternativeString(mail.TypeTextHTML, r.HTML)
	opts := []mail.Option{mail.WithPort(m.cfg.Port), mail.WithTimeout(m.cfg.Timeout), mail.WithHELO("consortia")}
	if m.cfg.RequireTLS {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	} else {
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	}
	if m.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(m.cfg.Username), mail.WithPassword(m.cfg.Password))
	}
	c, err := mail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return Outcome{Err: fmt.Errorf("smtp client: %w", err)}
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		// Connection and temporary (4xx) failures are retried; the SMTP server
		// deduplicates nothing, but the Message-ID lets the reader's client do so.
		return Outcome{Err: fmt.Errorf("smtp %s:%d: %w", m.cfg.Host, m.cfg.Port, err), Retry: true}
	}
	return Outcome{}
}
