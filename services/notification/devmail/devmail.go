// Package devmail is the SMTP capture of `consortia dev`: an SMTP server
// (github.com/emersion/go-smtp) on loopback that keeps every mail it receives
// in memory, so the console's dev mailbox page can show them and no mail
// leaves the machine.
package devmail

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"encoding/base64"

	"github.com/emersion/go-smtp"
)

// Mail is one captured e-mail, decoded.
type Mail struct {
	From      string
	To        []string
	Subject   string
	MessageID string
	Language  string
	Date      time.Time
	Text      string
	HTML      string
	Received  time.Time
	Raw       []byte
}

// Mailbox keeps the mails; safe for concurrent use.
type Mailbox struct {
	mu    sync.Mutex
	mails []Mail
	srv   *smtp.Server
	lis   net.Listener
	done  chan struct{}
}

// Start listens on addr ("127.0.0.1:0" picks a port) and serves until Close.
func Start(addr string) (*Mailbox, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	m := &Mailbox{lis: lis, done: make(chan struct{})}
	s := smtp.NewServer(backend{m})
	s.Domain = "localhost"
	s.MaxMessageBytes = 4 << 20
	s.MaxRecipients = 50
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	m.srv = s
	go func() {
		defer close(m.done)
		_ = s.Serve(lis)
	}()
	return m, nil
}

// Addr is the host:port mails go to.
func (m *Mailbox) Addr() string { return m.lis.Addr().String() }

// Close stops the server.
func (m *Mailbox) Close() {
	_ = m.srv.Close()
	<-m.done
}

// Mails returns the captured mails, newest first.
func (m *Mailbox) Mails() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Mail, len(m.mails))
	for i, x := range m.mails {
		out[len(m.mails)-1-i] = x
	}
	return out
}

func (m *Mailbox) add(x Mail) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mails = append(m.mails, x)
	if len(m.mails) > 500 {
		m.mails = m.mails[len(m.mails)-500:]
	}
}

type backend struct{ m *Mailbox }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{m: b.m}, nil }

type session struct {
	m    *Mailbox
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x, err := Parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unreadable message: " + err.Error()}
	}
	x.From, x.To, x.Received = s.from, append([]string(nil), s.to...), time.Now()
	s.m.add(x)
	return nil
}

var words = new(mime.WordDecoder)

// Parse decodes a raw RFC 5322 message: headers, and the text/plain and
// text/html parts (multipart/alternative or single part).
func Parse(raw []byte) (Mail, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	x := Mail{Raw: raw, MessageID: strings.Trim(msg.Header.Get("Message-Id"), "<> "), Language: msg.Header.Get("Content-Language")}
	if s, err := words.DecodeHeader(msg.Header.Get("Subject")); err == nil {
		x.Subject = s
	}
	x.Date, _ = msg.Header.Date()
	err = walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &x)
	return x, err
}

func walk(contentType, encoding string, body io.Reader, x *Mail) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, x); err != nil {
				return err
			}
		}
	}
	var r io.Reader = body
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		r = quotedprintable.NewReader(body)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		x.Text = string(b)
	case "text/html":
		x.HTML = string(b)
	}
	return nil
}
