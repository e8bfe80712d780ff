package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// Request bodies: their size limits, and a precise answer for one that does
// not decode. grpc-gateway turns a decoding failure into a bare
// InvalidArgument carrying the decoder's text; the API instead names the field
// (errors[]) as the services do, and answers an oversized body 413 without
// resetting a client that sends its whole body before reading the answer.
const (
	// MaxJSONBodyBytes bounds the body of every API request except the import:
	// 1 MiB holds a tender at every documented limit many times over.
	MaxJSONBodyBytes = 1 << 20
	// discardBytes is how much more of an oversized body the gateway reads and
	// drops after answering 413, so that a client that writes its whole body
	// before reading gets the answer rather than a connection reset; a longer
	// body, or one slower than discardTime, has its connection closed.
	discardBytes = 64 << 20
	discardTime  = 10 * time.Second
)

// errBodyTooLarge is what reading past the limit returns.
var errBodyTooLarge = errors.New("request body too large")

// limitFor is the body limit of a request.
func limitFor(r *http.Request) int64 {
	if r.URL.Path == importPath {
		return MaxBodyBytes
	}
	return MaxJSONBodyBytes
}

// requestBody is a request's body as the API reads it: limited, and noting why
// it did not decode, for the error handler.
type requestBody struct {
	raw      io.ReadCloser
	limit    int64
	read     int64
	tooLarge bool
	bad      *FieldError // the first field that did not decode
}

type bodyKey struct{}

// withBody wraps r's body; the error handler finds it in the context.
func withBody(r *http.Request) (*http.Request, *requestBody) {
	b := &requestBody{raw: r.Body, limit: limitFor(r)}
	r = r.WithContext(context.WithValue(r.Context(), bodyKey{}, b))
	r.Body = b
	return r, b
}

func bodyOf(r *http.Request) *requestBody {
	b, _ := r.Context().Value(bodyKey{}).(*requestBody)
	return b
}

func (b *requestBody) Read(p []byte) (int, error) {
	if b.read > b.limit {
		b.tooLarge = true
		return 0, errBodyTooLarge
	}
	if room := b.limit - b.read + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.raw.Read(p)
	b.read += int64(n)
	if b.read > b.limit {
		b.tooLarge = true
		return n, errBodyTooLarge
	}
	return n, err
}

func (b *requestBody) Close() error { return b.raw.Close() }

// tooLarge answers 413 and then reads and drops the rest of the body (bounded
// in bytes and time) before the connection closes, unless the client waits
// for "100 Continue" and so has not sent it.
func tooLarge(cfg Config, w http.ResponseWriter, r *http.Request, raw io.Reader, limit int64) {
	rc := http.NewResponseController(w)
	_ = rc.EnableFullDuplex() // read the body after writing the answer
	w.Header().Set("Connection", "close")
	WriteProblem(w, Problem{
		Type: cfg.ProblemTypeBase + "payload-too-large", Title: "Request body too large", Status: http.StatusRequestEntityTooLarge,
		Code: "RESOURCE_EXHAUSTED", Instance: r.URL.Path,
		Detail: fmt.Sprintf("the request body is larger than %d bytes, the limit of %s", limit, r.URL.Path),
		Errors: []FieldError{{Field: "body", Description: fmt.Sprintf("at most %d bytes", limit)}},
	})
	_ = rc.Flush()
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	_ = rc.SetReadDeadline(time.Now().Add(discardTime))
	_, _ = io.CopyN(io.Discard, raw, discardBytes)
}

// bodyMarshaler is the API's JSON marshaler. Its decoder reads the (limited)
// body and, when the body does not decode, finds the field at fault.
type bodyMarshaler struct {
	*runtime.JSONPb
	rows *elementCache // list rows already encoded (encode.go); nil: none kept
}

func (m bodyMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	return runtime.DecoderFunc(func(v any) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return io.EOF // no body: the generated handlers accept it
		}
		err = m.JSONPb.Unmarshal(data, v)
		if err != nil {
			if b, ok := r.(*requestBody); ok {
				if msg, ok := v.(proto.Message); ok {
					f := locate(msg.ProtoReflect().Descriptor(), data, "")
					b.bad = &f
				}
			}
		}
		return err
	})
}

// locate names the first field of a JSON body that does not decode as md,
// with the proto field path the services use in their violations
// ("profile.size_band", "members[2].organization_id").
func locate(md protoreflect.MessageDescriptor, data []byte, prefix string) FieldError {
	here := strings.TrimSuffix(prefix, ".")
	if here == "" {
		here = "body"
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
		return FieldError{Field: here, Description: "must be a JSON object, got " + jsonKind(data)}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fd := md.Fields().ByJSONName(k)
		if fd == nil {
			fd = md.Fields().ByName(protoreflect.Name(k))
		}
		if fd == nil {
			return FieldError{Field: prefix + k, Description: "unknown field"}
		}
		name, raw := prefix+string(fd.Name()), obj[k]
		if fd.Message() != nil && !fd.IsMap() && !wellKnown(fd.Message()) && string(bytes.TrimSpace(raw)) != "null" {
			if !fd.IsList() {
				if decodeErr(fd.Message(), raw) != nil {
					return locate(fd.Message(), raw, name+".")
				}
				continue
			}
			var items []json.RawMessage
			if json.Unmarshal(raw, &items) != nil {
				return FieldError{Field: name, Description: "must be a JSON array, got " + jsonKind(raw)}
			}
			for i, it := range items {
				if decodeErr(fd.Message(), it) != nil {
					return locate(fd.Message(), it, fmt.Sprintf("%s[%d].", name, i))
				}
			}
			continue
		}
		one, _ := json.Marshal(map[string]json.RawMessage{k: raw})
		err := decodeErr(md, one)
		if err == nil {
			continue
		}
		if fd.IsList() && !fd.IsMap() {
			var items []json.RawMessage
			if json.Unmarshal(raw, &items) == nil {
				for i, it := range items {
					one, _ := json.Marshal(map[string][]json.RawMessage{k: {it}})
					if err := decodeErr(md, one); err != nil {
						return FieldError{Field: fmt.Sprintf("%s[%d]", name, i), Description: describe(fd, err)}
					}
				}
			}
		}
		return FieldError{Field: name, Description: describe(fd, err)}
	}
	return FieldError{Field: here, Description: "does not decode as " + string(md.Name())}
}

// decodeErr decodes data as a message of md.
func decodeErr(md protoreflect.MessageDescriptor, data []byte) error {
	return protojson.Unmarshal(data, dynamicpb.NewMessage(md))
}

// wellKnown: google.protobuf types have their own JSON forms (a timestamp is a
// string); they are checked as one value.
func wellKnown(md protoreflect.MessageDescriptor) bool {
	return strings.HasPrefix(string(md.FullName()), "google.protobuf.")
}

// describe says what a field wants, without the decoder's line and column.
func describe(fd protoreflect.FieldDescriptor, err error) string {
	if e := fd.Enum(); e != nil {
		var names []string
		for i := range e.Values().Len() {
			if v := e.Values().Get(i); v.Number() != 0 {
				names = append(names, string(v.Name()))
			}
		}
		return "unknown value; one of " + strings.Join(names, ", ")
	}
	msg := decoderPosition.ReplaceAllString(err.Error(), "")
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(msg, "proto:"), "\u00a0"))
}

// decoderPosition is protojson's "(line 1:9): " prefix.
var decoderPosition = regexp.MustCompile(`\(line \d+:\d+\):\s*`)

// jsonKind names the JSON type of data: "null", "an array", "a string" …
func jsonKind(data []byte) string {
	t := bytes.TrimSpace(data)
	switch {
	case len(t) == 0:
		return "nothing"
	case string(t) == "null":
		return "null"
	case t[0] == '[':
		return "an array"
	case t[0] == '"':
		return "a string"
	case t[0] == '{':
		return "malformed JSON"
	case string(t) == "true" || string(t) == "false":
		return "a boolean"
	}
	if json.Valid(t) {
		return "a number"
	}
	return "malformed JSON"
}

// paramField names the field of grpc-gateway's own messages about query and
// path parameters ("parsing field \"status\": …", "type mismatch, parameter:
// tender_id, …"), "" when the message is not one of them.
func paramField(msg string) string {
	if m := paramFieldRE.FindStringSubmatch(msg); m != nil {
		return m[1] + m[2]
	}
	return ""
}

var paramFieldRE = regexp.MustCompile(`(?:parsing (?:field|list)|too many values for field|duplicate field) "([^"]+)"|(?:parameter:? )([a-z_]+)`)
