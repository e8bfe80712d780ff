package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// apiServer serves the API over real loopback HTTP with every backend
// pointing nowhere: a request refused while its body or parameters decode
// never reaches a service.
func apiServer(t *testing.T) *httptest.Server {
	t.Helper()
	conns := map[string]grpc.ClientConnInterface{}
	for _, b := range Backends {
		cc, err := grpc.NewClient("127.0.0.1:1", grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cc.Close() })
		conns[b.Name] = cc
	}
	h, err := New(t.Context(), Config{}, conns)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, srv *httptest.Server, method, path, body string) (int, Problem) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p Problem
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatalf("%s %s: %d, not a problem: %v", method, path, resp.StatusCode, err)
	}
	return resp.StatusCode, p
}

// A body that does not decode is a 400 naming the field at fault, by its
// proto path as the services name fields (issue 10 §4: a wrong enum value or
// a null body gave 400 with an empty errors[]); so is a bad query parameter.
func TestUndecodableBodyNamesTheField(t *testing.T) {
	srv := apiServer(t)
	tests := []struct {
		name, method, path, body, field, says string
	}{
		{"wrong enum", "POST", "/v1/organizations", `{"kind":"ORGANIZATION_KIND_FOO","legalName":"X"}`, "kind", "ORGANIZATION_KIND_COMPANY"},
		{"wrong nested enum", "POST", "/v1/organizations", `{"kind":"ORGANIZATION_KIND_COMPANY","profile":{"sizeBand":"HUGE"}}`, "profile.size_band", "SIZE_BAND_MICRO"},
		{"null body", "POST", "/v1/organizations", `null`, "body", "null"},
		{"array body", "PUT", "/v1/organizations/x/profile", `[1]`, "body", "array"},
		{"unknown field", "POST", "/v1/clusters", `{"name":"A","colour":"red"}`, "colour", "unknown"},
		{"number for a string", "POST", "/v1/clusters", `{"name":7}`, "name", ""},
		{"item of a list", "POST", "/v1/tenders/x:checkEligibility", `{"members":[{"organizationId":"a"},{"organizationId":5}]}`, "members[1].organization_id", ""},
		{"scalar list item", "POST", "/v1/tenders/x:share", `{"clusterIds":["a",false]}`, "cluster_ids[1]", ""},
		{"bad timestamp", "POST", "/v1/tenders/x:changeDeadline", `{"deadline":"next week","reason":"r"}`, "deadline", ""},
		{"malformed JSON", "POST", "/v1/clusters", `{"name":`, "body", ""},
		{"query enum", "GET", "/v1/tenders?status=TENDER_STATUS_SOMETIMES", "", "status", ""},
		{"query number", "GET", "/v1/tenders?pageSize=many", "", "page_size", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, p := send(t, srv, tt.method, tt.path, tt.body)
			if code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Fatalf("%d %+v, want 400 naming %s", code, p, tt.field)
			}
			if !strings.Contains(p.Errors[0].Description, tt.says) || strings.Contains(p.Errors[0].Description, "(line") {
				t.Errorf("description %q (want it to say %q, without the decoder's position)", p.Errors[0].Description, tt.says)
			}
		})
	}
}

// An oversized body is 413 (issue 10 §4: it was 400 "request body too
// large"), whether the client declares its length or streams it chunked.
func TestOversizedBodyIs413(t *testing.T) {
	srv := apiServer(t)
	big := `{"name":"` + strings.Repeat("x", MaxJSONBodyBytes) + `"}`
	code, p := send(t, srv, "POST", "/v1/clusters", big)
	if code != http.StatusRequestEntityTooLarge || p.Code != "RESOURCE_EXHAUSTED" || len(p.Errors) != 1 || p.Errors[0].Field != "body" {
		t.Fatalf("declared length: %d %+v", code, p)
	}
	// Chunked: no length to refuse up front; the limit trips while decoding.
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/v1/clusters", io.MultiReader(strings.NewReader(big)))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked: %d", resp.StatusCode)
	}
	// Just under the limit is not refused for its size.
	if code, _ := send(t, srv, "POST", "/v1/clusters", `{"name":"`+strings.Repeat("x", MaxJSONBodyBytes-100)+`"}`); code == http.StatusRequestEntityTooLarge {
		t.Fatal("a body under the limit was refused as too large")
	}
}

// A client that writes its whole oversized body before it reads gets the
// 413, not a connection reset: the gateway reads and drops the rest of the
// body (up to discardBytes) before closing.
func TestOversizedBodySentBeforeReadingGetsTheAnswer(t *testing.T) {
	srv := apiServer(t)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			body := bytes.Repeat([]byte("x"), 8<<20)
			var head string
			if chunked {
				head = "POST /v1/clusters HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
			} else {
				head = fmt.Sprintf("POST /v1/clusters HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(body))
			}
			w := bufio.NewWriter(conn)
			_, _ = w.WriteString(head)
			for off := 0; off < len(body); off += 64 << 10 {
				chunk := body[off:min(off+64<<10, len(body))]
				if chunked {
					fmt.Fprintf(w, "%x\r\n", len(chunk))
				}
				if _, err := w.Write(chunk); err != nil {
					t.Fatalf("writing the body: %v (the server dropped the connection)", err)
				}
				if chunked {
					_, _ = w.WriteString("\r\n")
				}
			}
			if chunked {
				_, _ = w.WriteString("0\r\n\r\n")
			}
			if err := w.Flush(); err != nil {
				t.Fatalf("writing the body: %v (the server dropped the connection)", err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("reading the answer after sending the body: %v", err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			if b, err := io.ReadAll(resp.Body); err != nil || !bytes.Contains(b, []byte("payload-too-large")) {
				t.Fatalf("answer body %q, %v", b, err)
			}
		})
	}
}

// The import route decodes its body itself, with the same answer.
func TestImportBodyNamesTheField(t *testing.T) {
	srv := apiServer(t)
	code, p := send(t, srv, "POST", "/v1/tenders:import", `{"clusterId":"c","content":"not base64!"}`)
	if code != http.StatusBadRequest || len(p.Errors) != 1 || p.Errors[0].Field != "content" {
		t.Fatalf("import with a bad document: %d %+v", code, p)
	}
	big := `{"clusterId":"c","content":"` + strings.Repeat("A", MaxBodyBytes) + `"}`
	if code, p := send(t, srv, "POST", "/v1/tenders:import", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("import over 32 MiB: %d %+v", code, p)
	}
}
